-- An app's revision: a number that moves whenever anything its chat shows may have
-- changed (messages, card decisions, connections, policies, members' names, flows, their
-- runs, schedules and polls, custom APIs, app-user connectors, the app itself). Triggers
-- move it, so every writer and every server on the database moves it, and a page drawn at
-- one revision can be shown again while the revision stands (see http/pages/chat_cache.rs).
-- Keep in step with migrations/sqlite/0018_app_revision.sql.

ALTER TABLE apps ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_revision_by_app() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
    ELSE
        UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION bump_revision_by_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM chat_messages WHERE id = OLD.message_id);
    ELSE
        UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM chat_messages WHERE id = NEW.message_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION bump_revision_by_flow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = OLD.flow_id);
    ELSE
        UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = NEW.flow_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER chat_messages_revision AFTER INSERT OR UPDATE OR DELETE ON chat_messages
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER card_states_revision AFTER INSERT OR UPDATE OR DELETE ON card_states
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_message();

CREATE TRIGGER connections_revision AFTER INSERT OR UPDATE OR DELETE ON connections
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER connector_policies_revision AFTER INSERT OR UPDATE OR DELETE ON connector_policies
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER memberships_revision AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER flows_revision AFTER INSERT OR UPDATE OR DELETE ON flows
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER runs_revision AFTER INSERT OR UPDATE OR DELETE ON runs
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER custom_apis_revision AFTER INSERT OR UPDATE OR DELETE ON custom_apis
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER app_user_connectors_revision AFTER INSERT OR UPDATE OR DELETE ON app_user_connectors
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_app();

CREATE TRIGGER flow_versions_revision AFTER INSERT OR UPDATE OR DELETE ON flow_versions
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_flow();

CREATE TRIGGER flow_schedules_revision AFTER INSERT OR UPDATE OR DELETE ON flow_schedules
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_flow();

CREATE TRIGGER flow_polls_revision AFTER INSERT OR UPDATE OR DELETE ON flow_polls
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_flow();

-- A member's new name shows on their messages.
CREATE FUNCTION bump_revision_by_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id IN (SELECT app_id FROM memberships WHERE user_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER users_name_revision AFTER UPDATE OF name ON users
    FOR EACH ROW EXECUTE FUNCTION bump_revision_by_user();

-- Any change to the app itself (its structure, its time zone, ...), except the bump.
CREATE FUNCTION bump_revision_of_app() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.revision := OLD.revision + 1;
    RETURN NEW;
END $$;
CREATE TRIGGER apps_revision BEFORE UPDATE ON apps
    FOR EACH ROW WHEN (NEW.revision = OLD.revision) EXECUTE FUNCTION bump_revision_of_app();

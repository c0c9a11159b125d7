-- An app's revision: a number that moves whenever anything its chat shows may have
-- changed (messages, card decisions, connections, policies, members' names, flows, their
-- runs, schedules and polls, custom APIs, app-user connectors, the app itself). Triggers
-- move it, so every writer and every server on the database moves it, and a page drawn at
-- one revision can be shown again while the revision stands (see http/pages/chat_cache.rs).
-- Keep in step with migrations/sqlite/0018_app_revision.sql.

ALTER TABLE apps ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

-- Moves the revision of the app a changed row belongs to. The trigger's argument says how
-- the row names its app: 'app' (its app_id), 'message' (a chat message's) or 'flow' (a
-- flow's). PL/pgSQL plans a trigger function per table, so each table's branch reads only
-- columns that table has.
CREATE FUNCTION bump_app_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed RECORD;
    app BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF TG_ARGV[0] = 'message' THEN
        app := (SELECT app_id FROM chat_messages WHERE id = changed.message_id);
    ELSIF TG_ARGV[0] = 'flow' THEN
        app := (SELECT app_id FROM flows WHERE id = changed.flow_id);
    ELSE
        app := changed.app_id;
    END IF;
    UPDATE apps SET revision = revision + 1 WHERE id = app;
    RETURN NULL;
END $$;

CREATE TRIGGER chat_messages_revision AFTER INSERT OR UPDATE OR DELETE ON chat_messages
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER card_states_revision AFTER INSERT OR UPDATE OR DELETE ON card_states
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('message');

CREATE TRIGGER connections_revision AFTER INSERT OR UPDATE OR DELETE ON connections
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER connector_policies_revision AFTER INSERT OR UPDATE OR DELETE ON connector_policies
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER memberships_revision AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER flows_revision AFTER INSERT OR UPDATE OR DELETE ON flows
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER runs_revision AFTER INSERT OR UPDATE OR DELETE ON runs
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER custom_apis_revision AFTER INSERT OR UPDATE OR DELETE ON custom_apis
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER app_user_connectors_revision AFTER INSERT OR UPDATE OR DELETE ON app_user_connectors
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('app');

CREATE TRIGGER flow_versions_revision AFTER INSERT OR UPDATE OR DELETE ON flow_versions
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('flow');

CREATE TRIGGER flow_schedules_revision AFTER INSERT OR UPDATE OR DELETE ON flow_schedules
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('flow');

CREATE TRIGGER flow_polls_revision AFTER INSERT OR UPDATE OR DELETE ON flow_polls
    FOR EACH ROW EXECUTE FUNCTION bump_app_revision('flow');

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

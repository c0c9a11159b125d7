-- An app's revision: a number that moves whenever anything its chat shows may have
-- changed (messages, card decisions, connections, policies, members' names, flows, their
-- runs, schedules and polls, custom APIs, app-user connectors, the app itself). Triggers
-- move it, so every writer and every server on the database moves it, and a page drawn at
-- one revision can be shown again while the revision stands (see http/pages/chat_cache.rs).
-- Keep in step with migrations/sqlite/0018_app_revision.sql.

ALTER TABLE apps ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

-- Moves the revision of every app whose rows a statement changed. The trigger's argument
-- says how a row names its app: 'app' (its app_id), 'message' (a chat message's) or 'flow'
-- (a flow's). PL/pgSQL plans a trigger function per table, so each table's branch reads
-- only columns that table has. Once per statement, not per row: one statement may change
-- rows of several apps (a server claiming the runs that are due), and the apps are locked
-- in one order, so two servers claiming at once never each wait for the other.
CREATE FUNCTION bump_app_revisions() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched BIGINT[];
BEGIN
    IF TG_ARGV[0] = 'message' THEN
        touched := ARRAY(SELECT DISTINCT m.app_id FROM changed c JOIN chat_messages m ON m.id = c.message_id);
    ELSIF TG_ARGV[0] = 'flow' THEN
        touched := ARRAY(SELECT DISTINCT f.app_id FROM changed c JOIN flows f ON f.id = c.flow_id);
    ELSE
        touched := ARRAY(SELECT DISTINCT c.app_id FROM changed c);
    END IF;
    PERFORM 1 FROM apps WHERE id = ANY(touched) ORDER BY id FOR NO KEY UPDATE;
    UPDATE apps SET revision = revision + 1 WHERE id = ANY(touched);
    RETURN NULL;
END $$;

CREATE TRIGGER chat_messages_insert_revision AFTER INSERT ON chat_messages REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER chat_messages_update_revision AFTER UPDATE ON chat_messages REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER chat_messages_delete_revision AFTER DELETE ON chat_messages REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER card_states_insert_revision AFTER INSERT ON card_states REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('message');

CREATE TRIGGER card_states_update_revision AFTER UPDATE ON card_states REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('message');

CREATE TRIGGER card_states_delete_revision AFTER DELETE ON card_states REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('message');

CREATE TRIGGER connections_insert_revision AFTER INSERT ON connections REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER connections_update_revision AFTER UPDATE ON connections REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER connections_delete_revision AFTER DELETE ON connections REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER connector_policies_insert_revision AFTER INSERT ON connector_policies REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER connector_policies_update_revision AFTER UPDATE ON connector_policies REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER connector_policies_delete_revision AFTER DELETE ON connector_policies REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER memberships_insert_revision AFTER INSERT ON memberships REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER memberships_update_revision AFTER UPDATE ON memberships REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER memberships_delete_revision AFTER DELETE ON memberships REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER flows_insert_revision AFTER INSERT ON flows REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER flows_update_revision AFTER UPDATE ON flows REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER flows_delete_revision AFTER DELETE ON flows REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER runs_insert_revision AFTER INSERT ON runs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER runs_update_revision AFTER UPDATE ON runs REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER runs_delete_revision AFTER DELETE ON runs REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER custom_apis_insert_revision AFTER INSERT ON custom_apis REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER custom_apis_update_revision AFTER UPDATE ON custom_apis REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER custom_apis_delete_revision AFTER DELETE ON custom_apis REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER app_user_connectors_insert_revision AFTER INSERT ON app_user_connectors REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER app_user_connectors_update_revision AFTER UPDATE ON app_user_connectors REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER app_user_connectors_delete_revision AFTER DELETE ON app_user_connectors REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('app');

CREATE TRIGGER flow_versions_insert_revision AFTER INSERT ON flow_versions REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_versions_update_revision AFTER UPDATE ON flow_versions REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_versions_delete_revision AFTER DELETE ON flow_versions REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_schedules_insert_revision AFTER INSERT ON flow_schedules REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_schedules_update_revision AFTER UPDATE ON flow_schedules REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_schedules_delete_revision AFTER DELETE ON flow_schedules REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_polls_insert_revision AFTER INSERT ON flow_polls REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_polls_update_revision AFTER UPDATE ON flow_polls REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

CREATE TRIGGER flow_polls_delete_revision AFTER DELETE ON flow_polls REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_app_revisions('flow');

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

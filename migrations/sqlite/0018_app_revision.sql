-- An app's revision: a number that moves whenever anything its chat shows may have
-- changed (messages, card decisions, connections, policies, members' names, flows, their
-- runs, schedules and polls, custom APIs, app-user connectors, the app itself). Triggers
-- move it, so every writer and every server on the database moves it, and a page drawn at
-- one revision can be shown again while the revision stands (see http/pages/chat_cache.rs).
-- Keep in step with migrations/postgres/0018_app_revision.sql.

ALTER TABLE apps ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER chat_messages_insert_revision AFTER INSERT ON chat_messages BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER chat_messages_update_revision AFTER UPDATE ON chat_messages BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER chat_messages_delete_revision AFTER DELETE ON chat_messages BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER card_states_insert_revision AFTER INSERT ON card_states BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM chat_messages WHERE id = NEW.message_id);
END;

CREATE TRIGGER card_states_update_revision AFTER UPDATE ON card_states BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM chat_messages WHERE id = NEW.message_id);
END;

CREATE TRIGGER card_states_delete_revision AFTER DELETE ON card_states BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM chat_messages WHERE id = OLD.message_id);
END;

CREATE TRIGGER connections_insert_revision AFTER INSERT ON connections BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER connections_update_revision AFTER UPDATE ON connections BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER connections_delete_revision AFTER DELETE ON connections BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER connector_policies_insert_revision AFTER INSERT ON connector_policies BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER connector_policies_update_revision AFTER UPDATE ON connector_policies BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER connector_policies_delete_revision AFTER DELETE ON connector_policies BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER memberships_insert_revision AFTER INSERT ON memberships BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER memberships_update_revision AFTER UPDATE ON memberships BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER memberships_delete_revision AFTER DELETE ON memberships BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER flows_insert_revision AFTER INSERT ON flows BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER flows_update_revision AFTER UPDATE ON flows BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER flows_delete_revision AFTER DELETE ON flows BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER runs_insert_revision AFTER INSERT ON runs BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER runs_update_revision AFTER UPDATE ON runs BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER runs_delete_revision AFTER DELETE ON runs BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER custom_apis_insert_revision AFTER INSERT ON custom_apis BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER custom_apis_update_revision AFTER UPDATE ON custom_apis BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER custom_apis_delete_revision AFTER DELETE ON custom_apis BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER app_user_connectors_insert_revision AFTER INSERT ON app_user_connectors BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER app_user_connectors_update_revision AFTER UPDATE ON app_user_connectors BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.app_id;
END;

CREATE TRIGGER app_user_connectors_delete_revision AFTER DELETE ON app_user_connectors BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = OLD.app_id;
END;

CREATE TRIGGER flow_versions_insert_revision AFTER INSERT ON flow_versions BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = NEW.flow_id);
END;

CREATE TRIGGER flow_versions_update_revision AFTER UPDATE ON flow_versions BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = NEW.flow_id);
END;

CREATE TRIGGER flow_versions_delete_revision AFTER DELETE ON flow_versions BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = OLD.flow_id);
END;

CREATE TRIGGER flow_schedules_insert_revision AFTER INSERT ON flow_schedules BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = NEW.flow_id);
END;

CREATE TRIGGER flow_schedules_update_revision AFTER UPDATE ON flow_schedules BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = NEW.flow_id);
END;

CREATE TRIGGER flow_schedules_delete_revision AFTER DELETE ON flow_schedules BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = OLD.flow_id);
END;

CREATE TRIGGER flow_polls_insert_revision AFTER INSERT ON flow_polls BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = NEW.flow_id);
END;

CREATE TRIGGER flow_polls_update_revision AFTER UPDATE ON flow_polls BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = NEW.flow_id);
END;

CREATE TRIGGER flow_polls_delete_revision AFTER DELETE ON flow_polls BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = (SELECT app_id FROM flows WHERE id = OLD.flow_id);
END;

-- A member's new name shows on their messages.
CREATE TRIGGER users_name_revision AFTER UPDATE OF name ON users BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id IN (SELECT app_id FROM memberships WHERE user_id = NEW.id);
END;

-- Any change to the app itself (its structure, its time zone, ...), except the bump.
CREATE TRIGGER apps_revision AFTER UPDATE ON apps WHEN NEW.revision = OLD.revision BEGIN
    UPDATE apps SET revision = revision + 1 WHERE id = NEW.id;
END;

//! Interactions as Discord sends them: who triggers them ([`Caller`]) and the builders for slash
//! commands, autocomplete, buttons and select menus, plus sending them to the bot.
//!
//! Shapes follow the examples in Discord's API docs and carry every field serenity 0.12.5's
//! `CommandInteraction` / `ComponentInteraction` require (`application_id`, `version`, `locale`,
//! `app_permissions`, `entitlements`, `attachment_size_limit`, `authorizing_integration_owners`,
//! `context`, and `member` in guilds or `user` in DMs). serenity silently drops an
//! `INTERACTION_CREATE` it cannot deserialize, so [`FakeDiscord::send_interaction`] checks each
//! payload against serenity's model first.

use serde_json::{json, Map, Value};

use super::payloads::{dm_channel_json, guild_channel_json, member_json, user_json};
use super::{
    dm_channel_id, messages, FakeDiscord, InteractionHandle, Recorded, APPLICATION_ID, CHANNEL_ID,
    GUILD_ID,
};

const VIEW_CHANNEL: u64 = 1 << 10;
const SEND_MESSAGES: u64 = 1 << 11;
const EMBED_LINKS: u64 = 1 << 14;
const ATTACH_FILES: u64 = 1 << 15;
const READ_MESSAGE_HISTORY: u64 = 1 << 16;
const ADD_REACTIONS: u64 = 1 << 6;
const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
const MANAGE_GUILD: u64 = 1 << 5;

/// An ordinary member's permissions in a channel (no MANAGE_GUILD).
pub const PERMS_MEMBER: u64 = VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_APPLICATION_COMMANDS;
/// A server manager's permissions: [`PERMS_MEMBER`] plus MANAGE_GUILD (0x20).
pub const PERMS_MANAGER: u64 = PERMS_MEMBER | MANAGE_GUILD;
/// What the bot itself may do (`app_permissions`).
const PERMS_BOT: u64 = PERMS_MEMBER;
/// Discord's default upload limit, sent as `attachment_size_limit`.
const ATTACHMENT_SIZE_LIMIT: u64 = 10 * 1024 * 1024;

/// Who triggers an interaction and where: a guild member in a channel, or a user in a DM with
/// the bot.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user_id: u64,
    pub user_name: String,
    /// `None` for a DM with the bot.
    pub guild_id: Option<u64>,
    /// The channel the interaction happens in (the DM channel for DMs).
    pub channel_id: u64,
    /// The member's permissions in the channel, as Discord's string bitfield (guild only).
    pub permissions: String,
    pub roles: Vec<u64>,
}

impl Caller {
    /// An ordinary member of [`GUILD_ID`] in [`CHANNEL_ID`] ([`PERMS_MEMBER`], no MANAGE_GUILD).
    pub fn member(user_id: u64, name: &str) -> Caller {
        Caller {
            user_id,
            user_name: name.to_owned(),
            guild_id: Some(GUILD_ID),
            channel_id: CHANNEL_ID,
            permissions: PERMS_MEMBER.to_string(),
            roles: Vec::new(),
        }
    }

    /// A member of [`GUILD_ID`] with MANAGE_GUILD ([`PERMS_MANAGER`]).
    pub fn manager(user_id: u64, name: &str) -> Caller {
        Caller::member(user_id, name).with_permissions(PERMS_MANAGER)
    }

    /// The user in their DM channel with the bot (`user` instead of `member`, no guild).
    pub fn dm(user_id: u64, name: &str) -> Caller {
        Caller {
            user_id,
            user_name: name.to_owned(),
            guild_id: None,
            channel_id: dm_channel_id(user_id),
            permissions: String::new(),
            roles: Vec::new(),
        }
    }

    pub fn with_permissions(mut self, permissions: u64) -> Caller {
        self.permissions = permissions.to_string();
        self
    }

    /// Moves a guild caller to another guild/channel.
    pub fn in_guild(mut self, guild_id: u64, channel_id: u64) -> Caller {
        self.guild_id = Some(guild_id);
        self.channel_id = channel_id;
        if self.permissions.is_empty() {
            self.permissions = PERMS_MEMBER.to_string();
        }
        self
    }

    pub fn with_roles(mut self, roles: Vec<u64>) -> Caller {
        self.roles = roles;
        self
    }

    pub fn user_json(&self) -> Value {
        user_json(self.user_id, &self.user_name, false)
    }
}

/// Wraps `options` in the subcommand (group) levels of a space-separated command path:
/// `"quiz start"` gives `[{"name": "start", "type": 1, "options": options}]`.
fn nest_options(path: &[&str], options: Value) -> Value {
    match path {
        [] => options,
        [sub] => json!([{ "name": sub, "type": 1, "options": options }]),
        [group, rest @ ..] => {
            json!([{ "name": group, "type": 2, "options": nest_options(rest, options) }])
        }
    }
}

impl FakeDiscord {
    /// The fields every interaction has, for `who`, with a fresh id and token.
    fn interaction_base(&self, kind: u64, who: &Caller) -> Map<String, Value> {
        let id = self.shared.next_id();
        let token = format!("fakeInteractionToken{id}x{}", self.shared.next_id());
        self.shared
            .lock()
            .user_names
            .insert(who.user_id, who.user_name.clone());
        let mut base = json!({
            "id": id.to_string(),
            "application_id": APPLICATION_ID.to_string(),
            "type": kind,
            "token": token,
            "version": 1,
            "channel_id": who.channel_id.to_string(),
            "app_permissions": PERMS_BOT.to_string(),
            "locale": "en-US",
            "entitlements": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        });
        match who.guild_id {
            Some(guild) => {
                base["guild_id"] = json!(guild.to_string());
                base["guild_locale"] = json!("en-US");
                base["channel"] = guild_channel_json(guild, who.channel_id, &who.permissions);
                base["member"] = member_json(who.user_json(), &who.roles, Some(&who.permissions));
                base["authorizing_integration_owners"] = json!({ "0": guild.to_string() });
                base["context"] = json!(0);
            }
            None => {
                let mut channel = dm_channel_json(who.user_json());
                channel["permissions"] = json!(PERMS_BOT.to_string());
                base["channel"] = channel;
                base["user"] = who.user_json();
                // A guild-installed app used in its bot DM: Discord sends guild id "0".
                base["authorizing_integration_owners"] = json!({ "0": "0" });
                base["context"] = json!(1);
            }
        }
        match base {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    /// The `data.id` for command `name`: what the fake returned when it was registered, or a
    /// fresh snowflake (poise and serenity match commands by name).
    fn data_command_id(&self, name: &str) -> u64 {
        self.command_id(name)
            .unwrap_or_else(|| self.shared.next_id())
    }

    /// A slash command (`type 2`) from `who`. `name` may include subcommands
    /// (`"quiz start"`), and `options` is the JSON array of the innermost options, e.g.
    /// `json!([opt_string("topic", "rust")])`. User options get `data.resolved.users` (and
    /// `members` in guilds) like Discord sends.
    pub fn slash_command(&self, name: &str, options: Value, who: &Caller) -> Value {
        let path: Vec<&str> = name.split_whitespace().collect();
        let (root, rest) = path.split_first().expect("slash_command: empty name");
        let mut resolved = Map::new();
        self.resolve_users(&options, who, &mut resolved);
        let mut data = json!({
            "id": self.data_command_id(root).to_string(),
            "name": root,
            "type": 1,
            "options": nest_options(rest, options),
        });
        if !resolved.is_empty() {
            data["resolved"] = Value::Object(resolved);
        }
        let mut payload = self.interaction_base(2, who);
        payload.insert("data".into(), data);
        Value::Object(payload)
    }

    /// An autocomplete request (`type 4`) while `who` types `partial_value` into option
    /// `focused_option` of command `name` (subcommands allowed, as in [`Self::slash_command`]).
    pub fn autocomplete(
        &self,
        name: &str,
        focused_option: &str,
        partial_value: &str,
        who: &Caller,
    ) -> Value {
        let path: Vec<&str> = name.split_whitespace().collect();
        let (root, rest) = path.split_first().expect("autocomplete: empty name");
        let focused =
            json!([{ "name": focused_option, "type": 3, "value": partial_value, "focused": true }]);
        let data = json!({
            "id": self.data_command_id(root).to_string(),
            "name": root,
            "type": 1,
            "options": nest_options(rest, focused),
        });
        let mut payload = self.interaction_base(4, who);
        payload.insert("data".into(), data);
        Value::Object(payload)
    }

    /// A button press (`type 3`, component type 2) on `message` (a full message object, e.g.
    /// [`Self::original_message`]).
    pub fn button(&self, custom_id: &str, message: &Value, who: &Caller) -> Value {
        let mut payload = self.interaction_base(3, who);
        payload.insert(
            "data".into(),
            json!({ "custom_id": custom_id, "component_type": 2 }),
        );
        payload.insert("message".into(), message.clone());
        Value::Object(payload)
    }

    /// A string-select choice (`type 3`, component type 3) of `values` on `message`.
    pub fn select_menu(
        &self,
        custom_id: &str,
        values: &[&str],
        message: &Value,
        who: &Caller,
    ) -> Value {
        let mut payload = self.interaction_base(3, who);
        payload.insert(
            "data".into(),
            json!({ "custom_id": custom_id, "component_type": 3, "values": values }),
        );
        payload.insert("message".into(), message.clone());
        Value::Object(payload)
    }

    /// Dispatches `payload` as `INTERACTION_CREATE` (after checking that serenity accepts it)
    /// and returns its id and token for [`Self::wait_for_callback`].
    pub async fn send_interaction(&self, payload: Value) -> InteractionHandle {
        let handle = messages::interaction_handle(&payload)
            .expect("send_interaction: payload needs string `id` and `token`");
        self.dispatch("INTERACTION_CREATE", payload).await;
        handle
    }

    /// Sends `payload` and waits for the bot's callback: the common one-liner.
    pub async fn interact(&self, payload: Value) -> (InteractionHandle, Recorded) {
        let handle = self.send_interaction(payload).await;
        let callback = self.wait_for_callback(&handle).await;
        (handle, callback)
    }

    /// Fills `resolved.users` (and `resolved.members` for members of the caller's server) for
    /// user options.
    fn resolve_users(&self, options: &Value, who: &Caller, resolved: &mut Map<String, Value>) {
        let Some(options) = options.as_array() else {
            return;
        };
        for option in options {
            if option["type"] != json!(6) {
                continue;
            }
            let Some(id) = option["value"].as_str() else {
                continue;
            };
            let uid: u64 = id.parse().unwrap_or(0);
            let (name, in_guild) = {
                let state = self.shared.lock();
                let name = state.user_names.get(&uid).cloned();
                let in_guild = who
                    .guild_id
                    .is_some_and(|guild| state.members.contains_key(&(guild, uid)));
                (name.unwrap_or_else(|| format!("user{uid}")), in_guild)
            };
            let users = resolved.entry("users").or_insert_with(|| json!({}));
            users[id] = user_json(uid, &name, false);
            // Discord resolves a member only for a user who is in the server.
            if in_guild {
                let mut member = member_json(Value::Null, &[], Some(&PERMS_MEMBER.to_string()));
                member.as_object_mut().unwrap().remove("user");
                let members = resolved.entry("members").or_insert_with(|| json!({}));
                members[id] = member;
            }
        }
    }
}

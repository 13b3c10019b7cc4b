package dev.tellmej.host;

/**
 * One message of a conversation.
 *
 * @param role    {@code system}, {@code user} or {@code assistant}
 * @param content its text
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
            throw new IllegalArgumentException("a message's role is system, user or assistant, not '" + role + "'");
        }
    }
}

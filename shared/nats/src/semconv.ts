// Messaging semantic conventions are still "Development" status upstream, so the few attribute
// names used here are copied rather than imported from an unstable entry point.
export const ATTR_MESSAGING_SYSTEM = "messaging.system";
export const ATTR_MESSAGING_DESTINATION_NAME = "messaging.destination.name";
/** The destination's name with its variable part left out (here: a replica's own subject). */
export const ATTR_MESSAGING_DESTINATION_TEMPLATE = "messaging.destination.template";
export const ATTR_MESSAGING_OPERATION_TYPE = "messaging.operation.type";
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = "messaging.consumer.group.name";
export const ATTR_MESSAGING_MESSAGE_BODY_SIZE = "messaging.message.body.size";
export const ATTR_ERROR_TYPE = "error.type";
export const MESSAGING_SYSTEM_NATS = "nats";

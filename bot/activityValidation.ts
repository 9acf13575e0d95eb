import { ActivityTypes } from 'botbuilder';

const KNOWN_TYPES = new Set<string>(Object.values(ActivityTypes));

/** The most attachments an activity may carry; Web Chat sends a few at most. */
const MAX_ATTACHMENTS = 10;

/** Why an incoming activity was refused, for a 400 answer. */
export interface ActivityProblem {
  code: 'BadRequest';
  message: string;
}

/**
 * Checks the shape of an activity posted to /api/messages before the adapter sees it, and tidies what a turn could
 * trip on: an object with a known type, a conversation id, a channel id, a sender, a service URL that is a URL (and
 * is required unless replies are expected in the response), text of a sane type, attachments that are objects with a
 * content type (others are dropped), and for card actions the action they name. Returns the problem, or undefined
 * when it is fine (the activity may have been tidied in place).
 */
export function validateActivity(body: unknown): ActivityProblem | undefined {
  const bad = (message: string): ActivityProblem => ({ code: 'BadRequest', message });
  if (!isObject(body)) return bad('the request body must be a JSON activity object');
  const a = body;
  if (typeof a.type !== 'string' || !a.type) return bad('activity.type is required');
  if (!KNOWN_TYPES.has(a.type)) return bad(`activity.type "${a.type.slice(0, 40)}" is not a Bot Framework activity type`);
  const conversation = a.conversation;
  if (!isObject(conversation) || typeof conversation.id !== 'string' || !conversation.id) return bad('activity.conversation.id is required');
  if (conversation.id.length > 255 || hasControl(conversation.id)) return bad('activity.conversation.id is too long or has control characters');
  if (typeof a.channelId !== 'string' || !a.channelId || a.channelId.length > 32 || hasControl(a.channelId)) return bad('activity.channelId is required');
  const from = a.from;
  if (!isObject(from) || typeof from.id !== 'string' || !from.id || from.id.length > 255 || hasControl(from.id)) return bad('activity.from.id is required');
  if (from.name !== undefined && from.name !== null && (typeof from.name !== 'string' || from.name.length > 255))
    return bad('activity.from.name must be a short string');
  if (a.recipient !== undefined && a.recipient !== null && !isObject(a.recipient)) return bad('activity.recipient must be an object');
  if (
    a.serviceUrl !== undefined &&
    a.serviceUrl !== null &&
    (typeof a.serviceUrl !== 'string' || !/^https?:\/\/[^\s/]+\S*$/i.test(a.serviceUrl) || a.serviceUrl.length > 2048)
  ) {
    return bad('activity.serviceUrl must be an http(s) URL');
  }
  if (a.deliveryMode !== 'expectReplies' && typeof a.serviceUrl !== 'string') return bad('activity.serviceUrl must be an http(s) URL');
  if (a.id !== undefined && a.id !== null && (typeof a.id !== 'string' || a.id.length > 255)) return bad('activity.id must be a short string');
  if (a.text !== undefined && a.text !== null && typeof a.text !== 'string') return bad('activity.text must be a string');
  if (a.locale !== undefined && a.locale !== null && (typeof a.locale !== 'string' || a.locale.length > 35))
    return bad('activity.locale must be a language tag');
  if (a.name !== undefined && a.name !== null && (typeof a.name !== 'string' || a.name.length > 255)) return bad('activity.name must be a short string');
  if (a.attachments !== undefined && a.attachments !== null) {
    if (!Array.isArray(a.attachments)) return bad('activity.attachments must be an array');
    // A null or shapeless entry is nothing the bot could read: dropped, so the turn answers what is left.
    a.attachments = a.attachments.filter((x) => isObject(x) && typeof x.contentType === 'string' && x.contentType.length <= 255).slice(0, MAX_ATTACHMENTS);
  }
  for (const list of ['entities', 'membersAdded', 'membersRemoved'] as const) {
    if (a[list] === undefined || a[list] === null) continue;
    if (!Array.isArray(a[list])) return bad(`activity.${list} must be an array`);
    a[list] = (a[list] as unknown[]).filter(isObject).slice(0, 50);
  }
  if (a.type === 'invoke' && a.name === 'adaptiveCard/action') {
    const value = a.value;
    if (!isObject(value) || !isObject(value.action) || typeof value.action.type !== 'string')
      return bad('an adaptiveCard/action invoke needs value.action with a type');
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function hasControl(s: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(s);
}

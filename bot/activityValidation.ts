import { ActivityTypes } from 'botbuilder';

const KNOWN_TYPES = new Set<string>(Object.values(ActivityTypes));

/** Why an incoming activity was refused, for a 400 answer. */
export interface ActivityProblem {
  code: 'BadRequest';
  message: string;
}

/**
 * Checks the shape of an activity posted to /api/messages before the adapter sees it: an object with a known type,
 * a conversation id, a channel id, a sender, a service URL to reply to (unless replies are expected in the response),
 * and text of a sane type. Returns the problem, or undefined when it is fine.
 */
export function validateActivity(body: unknown): ActivityProblem | undefined {
  const bad = (message: string): ActivityProblem => ({ code: 'BadRequest', message });
  if (!body || typeof body !== 'object' || Array.isArray(body)) return bad('the request body must be a JSON activity object');
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || !a.type) return bad('activity.type is required');
  if (!KNOWN_TYPES.has(a.type)) return bad(`activity.type "${a.type.slice(0, 40)}" is not a Bot Framework activity type`);
  const conversation = a.conversation as Record<string, unknown> | undefined;
  if (!conversation || typeof conversation !== 'object' || typeof conversation.id !== 'string' || !conversation.id) {
    return bad('activity.conversation.id is required');
  }
  if (conversation.id.length > 255) return bad('activity.conversation.id is too long');
  if (typeof a.channelId !== 'string' || !a.channelId || a.channelId.length > 32) return bad('activity.channelId is required');
  const from = a.from as Record<string, unknown> | undefined;
  if (!from || typeof from !== 'object' || typeof from.id !== 'string' || !from.id || from.id.length > 255) return bad('activity.from.id is required');
  if (a.deliveryMode !== 'expectReplies') {
    if (typeof a.serviceUrl !== 'string' || !/^https?:\/\/\S+$/i.test(a.serviceUrl)) return bad('activity.serviceUrl must be an http(s) URL');
  }
  if (a.text !== undefined && a.text !== null && typeof a.text !== 'string') return bad('activity.text must be a string');
  if (a.locale !== undefined && a.locale !== null && (typeof a.locale !== 'string' || a.locale.length > 35)) return bad('activity.locale must be a language tag');
  if (a.attachments !== undefined && !Array.isArray(a.attachments)) return bad('activity.attachments must be an array');
  return undefined;
}

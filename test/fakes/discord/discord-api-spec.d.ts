/**
 * `discord-api-spec/zod` (zod mini schemas generated from discord/discord-api-spec) points its `types` at the
 * generated .js, so TypeScript sees no declarations. These are the request schemas the fake checks bodies with.
 */
declare module 'discord-api-spec/zod' {
  import type { ZodMiniObject, ZodMiniType } from 'zod/mini';

  /** Interaction callback types 4 and 5. */
  export const CreateMessageInteractionCallbackRequestSchema: ZodMiniType;
  /** Interaction callback types 6 and 7. */
  export const UpdateMessageInteractionCallbackRequestSchema: ZodMiniType;
  /** Interaction callback type 8. */
  export const ApplicationCommandAutocompleteCallbackRequestSchema: ZodMiniType;
  /** Interaction callback type 9. */
  export const ModalInteractionCallbackRequestSchema: ZodMiniType;
  /** `POST /webhooks/{app}/{token}` (execute webhook; interaction follow-ups). */
  export const IncomingWebhookRequestPartialSchema: ZodMiniType;
  /** `PATCH /webhooks/{app}/{token}/messages/{id | @original}`. */
  export const IncomingWebhookUpdateRequestPartialSchema: ZodMiniType;
  /** `POST /channels/{id}/messages`. */
  export const MessageCreateRequestSchema: ZodMiniType;
  /** `PATCH /channels/{id}/messages/{id}`. */
  export const MessageEditRequestPartialSchema: ZodMiniType;
  /** One element of the `PUT …/commands` array. */
  export const ApplicationCommandUpdateRequestSchema: ZodMiniObject;
}

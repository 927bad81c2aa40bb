/** Every entity of the notifications schema (the features that own them are not built yet). */
export const entities: Function[] = [];

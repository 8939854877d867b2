import type { ActionTable } from '../action.js';

export const SECRET_ACTIONS: ActionTable = {};

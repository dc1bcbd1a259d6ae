// Privacy budgets (odometer/filter) over any accountant.
export { PrivacyBudget, type PrivacyBudgetOptions } from './privacyBudget.js';

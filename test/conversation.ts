/**
 * The conversation the issues measure: five scan-type questions about one account (the cursor of
 * the fifth is the sixth), on one server (test/tools/conversation.test.ts) and across replicas
 * (test/slow/replicas.test.ts). The bench asks the same.
 */
export const CONVERSATION = [
  { summary: true },
  { older_than_days: 365, sort: 'size_desc', limit: 20 },
  { resource_type: 'volume', summary: true },
  { name: '*web*', limit: 50 },
  { region: 'fra1', sort: 'created_asc', limit: 20 },
];

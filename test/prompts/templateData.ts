/**
 * Sample data for every template in prompts/: the texts test renders each template in strict mode with it, so a
 * template that names a field its data lacks fails here, not in front of a customer. A new template adds its entry.
 */
export const TEMPLATE_DATA: Record<string, Record<string, unknown>> = {
  'main.help': {},
};

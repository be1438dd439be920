/**
 * A JSON null in a JSONPath payload template: a literal null would be
 * dropped when aws-cdk-lib renders the definition, so it is made by an
 * intrinsic (one call).
 */
export const JSON_NULL = "States.StringToJson('null')";

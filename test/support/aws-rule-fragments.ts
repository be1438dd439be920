/**
 * Small hand-written template fragments for the rules of test/aws-rules:
 * the shapes our old templates had, and the compliant shapes beside them.
 */

/** The example of "Intrinsic functions for JSONPath states": nine calls, five deep. */
export const NINE_NESTED_INTRINSICS = "States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), "
  + "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))";

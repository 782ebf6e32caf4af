/**
 * Fixed values of the sandbox. The credentials are throw-away: emulators accept any key, and
 * using a fixed, obviously fake pair means a sandbox run can never pick up real credentials.
 * Not frozen: the AWS SDK writes a `$source` marker into the credentials object it is given
 * (a frozen one makes every call throw), so hand clients a copy (`{ ...SANDBOX_CREDENTIALS }`).
 */
export const SANDBOX_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string } = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };

export const SANDBOX_REGION = 'us-east-1';

/**
 * The AWS CLI profile that every classroom learner's profile takes its (throw-away) keys from.
 * Here rather than in classroom.ts so that the wizard can name it without loading the
 * Organizations client.
 */
export const CLASS_PROFILE = 'classroom';

/**
 * The one place the LocalStack image is pinned.
 *
 * From March 2026 `localstack/localstack:latest` (and newer releases) became a single image that
 * refuses to start without `LOCALSTACK_AUTH_TOKEN` (a free account at localstack.cloud gives one).
 * 4.4.0 is a community-edition release that still starts without a token; the token is passed
 * through whenever it is set, so moving this tag forward only needs the token in the environment.
 */
export const LOCALSTACK_IMAGE = 'localstack/localstack:4.4.0';

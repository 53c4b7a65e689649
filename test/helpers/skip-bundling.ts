/**
 * Template assertions need no Lambda bundles: every App a test creates skips esbuild (CDK reads
 * this context from the environment). Bundling itself is proven by test/constructs/private
 * (every handler bundles with esbuild) and by test/bin (`cdk synth` in a clean environment).
 */
process.env.CDK_CONTEXT_JSON = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });

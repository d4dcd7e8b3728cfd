namespace MlNetLlm;

/// <summary>
/// The bounds every <see cref="ChatTemplate"/> parse and render stays within, so that a hostile or broken
/// <c>chat_template</c> from a downloaded model fails with a <see cref="ChatTemplateLimitException"/> instead of
/// overflowing the stack, running forever or exhausting memory. Real chat templates use a small fraction of each.
/// </summary>
public static class ChatTemplateLimits
{
    /// <summary>Deepest nesting of statements, expressions and values (parsing, evaluating, <c>tojson</c>, input values). Default: 100.</summary>
    public const int MaxDepth = 100;

    /// <summary>Most loop iterations (including <c>for</c> filters and items produced by <c>range</c>) in one render. Default: 1,000,000.</summary>
    public const int MaxLoopIterations = 1_000_000;

    /// <summary>Longest rendered output, and longest string any expression may produce, in characters. Default: 4,194,304 (4 Mi).</summary>
    public const int MaxOutputLength = 4 << 20;

    /// <summary>Most items in a list a template builds (<c>+</c> on lists, <c>| list</c>, <c>split</c>, …). Default: 1,000,000.</summary>
    public const int MaxListLength = 1_000_000;
}

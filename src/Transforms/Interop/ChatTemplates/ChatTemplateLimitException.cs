namespace MlNetLlm;

/// <summary>
/// A chat template exceeded one of <see cref="ChatTemplateLimits"/> while parsing or rendering; <see cref="Limit"/> names
/// which (for example <c>MaxDepth</c>), and the message gives its value.
/// </summary>
public sealed class ChatTemplateLimitException : InvalidOperationException
{
    /// <summary>Creates the exception for the limit named <paramref name="limit"/>.</summary>
    public ChatTemplateLimitException(string limit, string message) : base(message) => Limit = limit;

    /// <summary>The name of the <see cref="ChatTemplateLimits"/> member that was exceeded.</summary>
    public string Limit { get; }
}

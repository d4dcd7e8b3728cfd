using System.Text;
using MlNetLlm.ChatTemplates;

namespace MlNetLlm;

/// <summary>
/// A Hugging Face chat template (the <c>chat_template</c> of tokenizer_config.json): a Jinja subset interpreter that
/// renders a list of messages to a prompt. Whitespace follows transformers (<c>trim_blocks</c>, <c>lstrip_blocks</c>)
/// and output follows @huggingface/jinja, the implementation transformers.js uses. Immutable and thread-safe.
/// </summary>
/// <remarks>
/// Supported: <c>{{ }}</c>, <c>{% if/elif/else/endif %}</c>, <c>{% for x in xs [if cond] %}...{% else %}...{% endfor %}</c> (also <c>for k, v in d.items()</c>)
/// with <c>loop.index/index0/first/last/length/revindex/revindex0/previtem/nextitem</c>, <c>{% set x = ... %}</c> and
/// <c>{% set ns.x = ... %}</c>, comments, whitespace control (<c>{%- -%}</c>, <c>{{- -}}</c>), string/number/bool/none/list/dict
/// literals, <c>+ - * / // % ~</c>, comparisons, <c>and or not in</c>, <c>x if c else y</c>, attribute and item access,
/// slices, the filters, methods, functions and tests listed in <see cref="SupportedBuiltins"/>.
/// Anything else (macros, block <c>set</c>, <c>break</c>, other filters...) raises <see cref="NotSupportedException"/>
/// naming the construct; malformed templates raise <see cref="FormatException"/>. Parsing and rendering stay within
/// <see cref="ChatTemplateLimits"/> (nesting depth, loop iterations, output and list size; <c>range</c> is lazy), and
/// exceeding one raises <see cref="ChatTemplateLimitException"/> naming it, so a hostile template from a downloaded model
/// cannot overflow the stack, hang or exhaust memory.
/// </remarks>
public sealed class ChatTemplate
{
    private readonly IReadOnlyList<Node> _nodes;

    private ChatTemplate(string source, IReadOnlyList<Node> nodes)
    {
        Source = source;
        _nodes = nodes;
    }

    /// <summary>
    /// The format used for models without a <c>chat_template</c>: one <c>"{role}: {content}\n"</c> line per message, then
    /// <c>"assistant:"</c> when a generation prompt is asked for. For example <c>"system: Be brief.\nuser: Hi\nassistant:"</c>.
    /// </summary>
    public static ChatTemplate Default { get; } =
        Parse("{% for message in messages %}{{ message['role'] + ': ' + message['content'] + '\\n' }}{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}");

    /// <summary>The built-in functions, methods, filters and tests templates may use.</summary>
    public static string SupportedBuiltins { get; } =
        $"functions: {JinjaBuiltins.Functions}; methods: {JinjaBuiltins.Methods}; filters: {JinjaBuiltins.Filters}; tests: {JinjaBuiltins.Tests}";

    /// <summary>The template text.</summary>
    public string Source { get; }

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="FormatException">The template is malformed.</exception>
    /// <exception cref="NotSupportedException">The template uses a construct outside the supported subset.</exception>
    /// <exception cref="ChatTemplateLimitException">The template nests deeper than <see cref="ChatTemplateLimits.MaxDepth"/>.</exception>
    public static ChatTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new ChatTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>
    /// Renders the template. <paramref name="variables"/> typically holds <c>messages</c> (a list of dictionaries with
    /// <c>role</c> and <c>content</c>), <c>add_generation_prompt</c>, <c>bos_token</c> and <c>eos_token</c>. Values may be
    /// strings, numbers, booleans, null, dictionaries with string keys and enumerables of these.
    /// </summary>
    /// <exception cref="InvalidOperationException">The template called <c>raise_exception(message)</c> (the exception has that message), or applied an operation to values that do not support it.</exception>
    /// <exception cref="NotSupportedException">The template called a function, method, filter or test outside the supported subset.</exception>
    /// <exception cref="ChatTemplateLimitException">Rendering exceeded one of <see cref="ChatTemplateLimits"/> (the exception names it).</exception>
    public string Render(IReadOnlyDictionary<string, object?> variables) => Render(variables, CancellationToken.None);

    /// <summary>Renders the template like <see cref="Render(IReadOnlyDictionary{string, object?})"/>, checking <paramref name="cancellationToken"/> at every loop iteration.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while rendering.</exception>
    /// <inheritdoc cref="Render(IReadOnlyDictionary{string, object?})" path="/exception"/>
    public string Render(IReadOnlyDictionary<string, object?> variables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(variables);
        cancellationToken.ThrowIfCancellationRequested();
        using var budget = RenderBudget.Start(cancellationToken);
        var scope = new Scope(null);
        foreach (var (name, value) in variables) scope[name] = JinjaValues.From(value);
        var output = new StringBuilder();
        Node.RenderAll(_nodes, scope, output);
        return output.ToString();
    }
}

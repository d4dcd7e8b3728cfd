using System.Text;
using MlNetLlm.Tokenization;

namespace MlNetLlm.Generation;

/// <summary>
/// Hugging Face's <c>clean_up_tokenization</c> applied to text that arrives in pieces, with the same result as applying it
/// to the whole text: each replacement is a left-to-right pass that holds back only an ending that could still begin its
/// pattern, and feeds the next pass.
/// </summary>
internal sealed class StreamingCleanUp
{
    private readonly StringBuilder[] _held = JsText.CleanUpReplacements.Select(_ => new StringBuilder()).ToArray();

    /// <summary>Adds <paramref name="text"/>; returns the cleaned text that can no longer change.</summary>
    public string Append(string text)
    {
        for (int k = 0; k < _held.Length && text.Length > 0; k++) text = Pass(k, text, final: false);
        return text;
    }

    /// <summary>Returns the rest: the held-back text cleaned as the end of the text.</summary>
    public string Flush()
    {
        var text = "";
        for (int k = 0; k < _held.Length; k++) text = Pass(k, text, final: true);
        return text;
    }

    /// <summary>What <see cref="Flush"/> would return after <paramref name="pending"/>, without changing the state.</summary>
    public string Preview(ReadOnlySpan<char> pending)
    {
        var text = pending.ToString();
        for (int k = 0; k < _held.Length; k++)
            if (_held[k].Length > 0 || text.Length > 0) text = string.Concat(_held[k].ToString(), text).Replace(JsText.CleanUpReplacements[k].From, JsText.CleanUpReplacements[k].To);
        return text;
    }

    private string Pass(int k, string text, bool final)
    {
        var (from, to) = JsText.CleanUpReplacements[k];
        var input = _held[k].Append(text).ToString();
        _held[k].Clear();
        var output = new StringBuilder(input.Length);
        int i = 0;
        while (i < input.Length)
        {
            var rest = input.AsSpan(i);
            if (rest.StartsWith(from))
            {
                output.Append(to);
                i += from.Length;
            }
            else if (!final && rest.Length < from.Length && from.AsSpan().StartsWith(rest))
            {
                _held[k].Append(rest);
                break;
            }
            else output.Append(input[i++]);
        }
        return output.ToString();
    }
}

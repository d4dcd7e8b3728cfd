using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlNetLlm.Tokenization;

/// <summary>A <c>tokenizer.json</c> normalizer: rewrites text before it is split into words.</summary>
internal abstract class TextNormalizer
{
    public abstract string Normalize(string text);

    /// <summary>Normalizes <paramref name="text"/> keeping track of where each character came from.</summary>
    public virtual AlignedText Normalize(AlignedText text) => NormalizeByClusters(text);

    /// <summary>
    /// Alignment for normalizers that act on each character with its combining marks: each such cluster is normalized
    /// alone and its output mapped to it. The text itself is always the normalization of the whole; when context changes
    /// the output length (rare), the whole output is mapped to the whole input.
    /// </summary>
    private AlignedText NormalizeByClusters(AlignedText input)
    {
        var text = input.Text;
        var whole = Normalize(text);
        if (whole == text) return input;
        if (whole.Length == text.Length && !text.AsSpan().ContainsAnyExceptInRange('\0', '\u007F')) return input.WithText(whole);
        var clusters = input.CreateBuilder(whole.Length);
        for (int i = 0; i < text.Length;)
        {
            JsText.CodePointAt(text, i, out int len);
            int j = i + len;
            while (j < text.Length && IsMark(JsText.CodePointAt(text, j, out int l))) j += l;
            clusters.Append(Normalize(text[i..j]), i, j);
            i = j;
        }
        if (clusters.Length == whole.Length) return clusters.Build().WithText(whole);
        var coarse = input.CreateBuilder(whole.Length);
        coarse.Append(whole, 0, text.Length);
        return coarse.Build();
    }

    private static bool IsMark(int cp) => cp >= 0x300 && System.Globalization.CharUnicodeInfo.GetUnicodeCategory(cp)
        is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark
        or System.Globalization.UnicodeCategory.EnclosingMark;

    /// <summary>Builds the normalizer described by <paramref name="config"/>, or null for JSON null.</summary>
    public static TextNormalizer? Create(JsonElement config)
    {
        if (config.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var type = config.GetRequiredString("type", "normalizer");
        return type switch
        {
            "BertNormalizer" => new BertNormalizer(
                config.GetBool("clean_text", true), config.GetBool("handle_chinese_chars", true),
                config.GetNullableBool("strip_accents"), config.GetBool("lowercase", true)),
            "Precompiled" => new PrecompiledNormalizer(),
            "Sequence" => new SequenceNormalizer(config.GetArray("normalizers").Select(Create).OfType<TextNormalizer>().ToArray()),
            "Replace" => new ReplaceNormalizer(TokenizerPattern.Create(config.GetProperty("pattern")), config.GetString("content") ?? ""),
            "NFC" => new UnicodeNormalizer(NormalizationForm.FormC),
            "NFD" => new UnicodeNormalizer(NormalizationForm.FormD),
            "NFKC" => new UnicodeNormalizer(NormalizationForm.FormKC),
            "NFKD" => new UnicodeNormalizer(NormalizationForm.FormKD),
            "Strip" => new StripNormalizer(config.GetBool("strip_left", false), config.GetBool("strip_right", false)),
            "StripAccents" => new StripAccentsNormalizer(),
            "Lowercase" => new LowercaseNormalizer(),
            "Prepend" => new PrependNormalizer(config.GetString("prepend") ?? ""),
            _ => throw TokenizerJson.Unsupported("normalizer", type),
        };
    }
}

/// <summary>BERT's normalizer: drop control characters, map whitespace to spaces, space out CJK, lower-case, strip accents.</summary>
internal sealed class BertNormalizer(bool cleanText, bool handleChineseChars, bool? stripAccents, bool lowercase) : TextNormalizer
{
    public override string Normalize(string text)
    {
        if (cleanText || handleChineseChars) text = CleanAndSpaceCjk(text);
        if (lowercase)
        {
            text = JsText.ToLower(text);
            if (stripAccents != false) text = StripAccents(text);
        }
        else if (stripAccents == true) text = StripAccents(text);
        return text;
    }

    internal static string StripAccents(string text)
    {
        if (IsAscii(text)) return text;
        return JsText.RemoveMarks(JsText.Normalize(text, NormalizationForm.FormD), nonSpacingOnly: true);
    }

    private static bool IsAscii(string text) => !text.AsSpan().ContainsAnyExceptInRange('\0', '\u007F');

    // One pass for clean_text (by code point) and the CJK spacing (by UTF-16 unit, as the reference does).
    private string CleanAndSpaceCjk(string text)
    {
        // Printable ASCII is left unchanged by both steps.
        if (!text.AsSpan().ContainsAnyExceptInRange(' ', '~')) return text;
        var sb = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            int cp = JsText.CodePointAt(text, i, out int len);
            if (cleanText)
            {
                if (cp is 0 or 0xFFFD || IsControl(cp)) { i += len - 1; continue; }
                if (JsText.IsWhitespace(cp)) { sb.Append(' '); i += len - 1; continue; }
            }
            if (handleChineseChars && len == 1 && IsChineseChar(cp)) sb.Append(' ').Append((char)cp).Append(' ');
            else sb.Append(text, i, len);
            i += len - 1;
        }
        return sb.ToString();
    }

    private static bool IsControl(int cp)
    {
        if (cp is '\t' or '\n' or '\r') return false;
        if (cp < 0x20 || cp is >= 0x7F and <= 0x9F) return true;
        if (cp < 0xA0) return false;
        return System.Globalization.CharUnicodeInfo.GetUnicodeCategory(cp) is System.Globalization.UnicodeCategory.Format
            or System.Globalization.UnicodeCategory.PrivateUse or System.Globalization.UnicodeCategory.Surrogate;
    }

    private static bool IsChineseChar(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0xF900 and <= 0xFAFF;
}

/// <summary>
/// SentencePiece's precompiled character map, applied as the reference implementation does: the default
/// <c>nmt_nfkc</c> rules (control characters dropped, special spaces mapped to ' ', then NFKC except U+FF5E).
/// </summary>
internal sealed class PrecompiledNormalizer : TextNormalizer
{
    public override string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= '\u0001' and <= '\u0008' or '\u000B' or >= '\u000E' and <= '\u001F' or '\u007F' or '\u008F' or '\u009F') continue;
            bool space = c is '\u0009' or '\u000A' or '\u000C' or '\u000D' or '\u00A0' or '\u1680' or >= '\u2000' and <= '\u200F'
                or '\u2028' or '\u2029' or '\u202F' or '\u205F' or '\u2581' or '\u3000' or '\uFEFF' or '\uFFFD';
            sb.Append(space ? ' ' : c);
        }
        text = sb.ToString();
        if (text.Contains('\uFF5E'))
            return string.Join('\uFF5E', text.Split('\uFF5E').Select(p => JsText.Normalize(p, NormalizationForm.FormKC)));
        return JsText.Normalize(text, NormalizationForm.FormKC);
    }
}

internal sealed class SequenceNormalizer(TextNormalizer[] normalizers) : TextNormalizer
{
    public override string Normalize(string text)
    {
        foreach (var n in normalizers) text = n.Normalize(text);
        return text;
    }

    public override AlignedText Normalize(AlignedText text)
    {
        foreach (var n in normalizers) text = n.Normalize(text);
        return text;
    }
}

internal sealed class ReplaceNormalizer(TokenizerPattern pattern, string content) : TextNormalizer
{
    public override string Normalize(string text) => pattern.ReplaceAll(text, content);

    public override AlignedText Normalize(AlignedText text) => pattern.ReplaceAll(text, content);
}

internal sealed class UnicodeNormalizer(NormalizationForm form) : TextNormalizer
{
    public override string Normalize(string text) => JsText.Normalize(text, form);
}

internal sealed class StripNormalizer(bool left, bool right) : TextNormalizer
{
    public override string Normalize(string text)
    {
        if (left) text = JsText.TrimStart(text);
        if (right) text = JsText.TrimEnd(text);
        return text;
    }

    public override AlignedText Normalize(AlignedText text)
    {
        int start = 0, end = text.Length;
        if (left) while (start < end && JsText.IsWhitespace(text.Text[start])) start++;
        if (right) while (end > start && JsText.IsWhitespace(text.Text[end - 1])) end--;
        return start == 0 && end == text.Length ? text : text.Slice(start, end - start);
    }
}

internal sealed class StripAccentsNormalizer : TextNormalizer
{
    public override string Normalize(string text) => JsText.RemoveMarks(text, nonSpacingOnly: false);
}

internal sealed class LowercaseNormalizer : TextNormalizer
{
    public override string Normalize(string text) => JsText.ToLower(text);
}

internal sealed class PrependNormalizer(string prefix) : TextNormalizer
{
    public override string Normalize(string text) => prefix + text;

    public override AlignedText Normalize(AlignedText text) => text.Prepend(prefix);
}

/// <summary><c>remove_space</c> of legacy SentencePiece configs: whitespace runs become one space, ends trimmed.</summary>
internal sealed class CollapseSpacesNormalizer : TextNormalizer
{
    public override string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    public override AlignedText Normalize(AlignedText text)
    {
        var s = text.Text;
        var b = text.CreateBuilder(s.Length);
        int i = 0;
        while (i < s.Length)
        {
            int gap = i;
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            if (i == s.Length) break;
            if (b.Length > 0) b.Append(" ", gap, gap + 1);
            int word = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
            b.Copy(word, i);
        }
        return b.Build();
    }
}

/// <summary><c>do_lowercase_and_remove_accent</c> of legacy configs: lower-case, then drop every combining mark.</summary>
internal sealed class LowercaseAndRemoveAccentNormalizer : TextNormalizer
{
    public override string Normalize(string text) => JsText.RemoveMarks(JsText.ToLower(text), nonSpacingOnly: false);
}

/// <summary>A <c>{"String": …}</c> or <c>{"Regex": …}</c> pattern from <c>tokenizer.json</c>.</summary>
internal sealed class TokenizerPattern
{
    private readonly string? _literal;
    private readonly Regex? _regex;

    private TokenizerPattern(string? literal, Regex? regex) { _literal = literal; _regex = regex; }

    public static TokenizerPattern Create(JsonElement pattern)
    {
        if (pattern.TryGetProperty("String", out var s)) return new TokenizerPattern(s.GetString() ?? "", null);
        if (pattern.TryGetProperty("Regex", out var r))
            return new TokenizerPattern(null, new Regex(r.GetString() ?? "", RegexOptions.CultureInvariant | RegexOptions.Compiled));
        throw TokenizerJson.Unsupported("pattern", pattern.GetRawText());
    }

    public string ReplaceAll(string text, string content) =>
        _literal is not null ? (_literal.Length == 0 ? text : text.Replace(_literal, content)) : _regex!.Replace(text, content);

    /// <summary><see cref="ReplaceAll(string, string)"/> keeping the alignment: a replacement takes the range of what it replaced.</summary>
    public AlignedText ReplaceAll(AlignedText text, string content)
    {
        AlignedText.Builder? b = null;
        int prev = 0;
        foreach (var (index, length, match) in Matches(text.Text))
        {
            b ??= text.CreateBuilder(text.Length);
            b.Copy(prev, index);
            b.Append(match is null ? content : match.Result(content), index, index + length);
            prev = index + length;
        }
        if (b is null) return text;
        b.Copy(prev, text.Length);
        return b.Build();
    }

    /// <summary>Splits <paramref name="text"/> into the matches and the text between them (empty pieces dropped).</summary>
    public IEnumerable<(int Start, int Length, bool IsMatch)> Split(string text)
    {
        int prev = 0;
        foreach (var (index, length, _) in Matches(text))
        {
            if (index > prev) yield return (prev, index - prev, false);
            if (length > 0) yield return (index, length, true);
            prev = index + length;
        }
        if (prev < text.Length) yield return (prev, text.Length - prev, false);
    }

    private IEnumerable<(int Index, int Length, Match? Match)> Matches(string text)
    {
        if (_regex is not null)
        {
            foreach (Match m in _regex.Matches(text)) yield return (m.Index, m.Length, m);
            yield break;
        }
        if (_literal!.Length == 0) yield break;
        int at = 0;
        while ((at = text.IndexOf(_literal, at, StringComparison.Ordinal)) >= 0)
        {
            yield return (at, _literal.Length, null);
            at += _literal.Length;
        }
    }
}

using System.Globalization;
using System.Text;

namespace MlNetLlm.Tokenization;

/// <summary>
/// Character classes and string operations with the exact semantics of the JavaScript string functions used by
/// Hugging Face's JavaScript tokenizers (the reference implementation our outputs are checked against): JS
/// <c>\s</c>, <c>toLowerCase</c>, <c>trim</c>, <c>normalize</c>, all on code points where JS uses the <c>u</c> flag.
/// </summary>
internal static class JsText
{
    /// <summary>JavaScript <c>\s</c>: ASCII controls TAB..CR, Zs, U+FEFF, U+2028, U+2029 (not U+0085).</summary>
    public static bool IsWhitespace(int cp) => cp switch
    {
        >= 9 and <= 13 or 0x20 or 0xA0 or 0xFEFF or 0x2028 or 0x2029 => true,
        < 0x80 => false,
        _ => CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.SpaceSeparator,
    };

    public static bool IsLetter(int cp) => cp < 0x80
        ? (uint)((cp | 0x20) - 'a') <= 'z' - 'a'
        : CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    public static bool IsNumber(int cp) => cp < 0x80
        ? (uint)(cp - '0') <= 9
        : CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber
            or UnicodeCategory.OtherNumber;

    /// <summary><c>\p{P}</c> plus every ASCII symbol, as in the BERT pre-tokenizer's punctuation class.</summary>
    public static bool IsBertPunctuation(int cp)
    {
        if (cp < 0x80)
            return cp is >= 0x21 and <= 0x2F or >= 0x3A and <= 0x40 or >= 0x5B and <= 0x60 or >= 0x7B and <= 0x7E;
        return CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>Reads the code point at <paramref name="i"/>; a lone surrogate is returned as itself (length 1).</summary>
    public static int CodePointAt(ReadOnlySpan<char> s, int i, out int length)
    {
        char c = s[i];
        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, s[i + 1]);
        }
        length = 1;
        return c;
    }

    /// <summary>Number of code points (JS <c>[...s].length</c>).</summary>
    public static int CodePointCount(ReadOnlySpan<char> s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; n++)
        {
            CodePointAt(s, i, out var len);
            i += len;
        }
        return n;
    }

    /// <summary>JS <c>String.prototype.trim</c> (JS whitespace and line terminators).</summary>
    public static string Trim(string s) => TrimEnd(TrimStart(s));

    public static string TrimStart(string s)
    {
        int i = 0;
        while (i < s.Length && IsWhitespace(s[i])) i++;
        return i == 0 ? s : s[i..];
    }

    public static string TrimEnd(string s)
    {
        int i = s.Length;
        while (i > 0 && IsWhitespace(s[i - 1])) i--;
        return i == s.Length ? s : s[..i];
    }

    /// <summary>JS <c>toLowerCase</c>: full Unicode lower-casing, including İ → i̇ and the final-sigma rule.</summary>
    public static string ToLower(string s)
    {
        int i = 0;
        while (i < s.Length && (s[i] < 'A' || (s[i] > 'Z' && s[i] < 0x80))) i++;
        if (i == s.Length) return s;
        var lowered = s.ToLowerInvariant();
        if (s.AsSpan().IndexOfAny('\u0130', '\u03A3') < 0) return lowered;

        var sb = new StringBuilder(s.Length + 4);
        for (int k = 0; k < s.Length; k++)
        {
            char c = s[k];
            if (c == '\u0130') sb.Append("i\u0307");
            else if (c == '\u03A3') sb.Append(IsFinalSigma(s, k) ? '\u03C2' : '\u03C3');
            else sb.Append(lowered[k]);
        }
        return sb.ToString();
    }

    // Unicode Final_Sigma: preceded by a cased letter (skipping case-ignorable) and not followed by one.
    private static bool IsFinalSigma(string s, int index)
    {
        static bool IsCased(char c) => char.IsLetter(c) && (char.IsUpper(c) || char.IsLower(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.TitlecaseLetter);
        static bool IsIgnorable(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol || c is '\'' or '.' or ':' or '\u00B7' or '\u2019';
        int b = index - 1;
        while (b >= 0 && IsIgnorable(s[b])) b--;
        if (b < 0 || !IsCased(s[b])) return false;
        int a = index + 1;
        while (a < s.Length && IsIgnorable(s[a])) a++;
        return a >= s.Length || !IsCased(s[a]);
    }

    /// <summary>JS <c>normalize(form)</c>: like <see cref="string.Normalize(NormalizationForm)"/> but lone surrogates pass through.</summary>
    public static string Normalize(string s, NormalizationForm form)
    {
        if (s.Length == 0) return s;
        try
        {
            return s.IsNormalized(form) ? s : s.Normalize(form);
        }
        catch (ArgumentException)
        {
            // .NET refuses strings with lone surrogates; JS keeps them. Normalize the valid runs between them.
            var sb = new StringBuilder(s.Length);
            int start = 0;
            for (int i = 0; i < s.Length; i++)
            {
                CodePointAt(s, i, out int len);
                if (len == 1 && char.IsSurrogate(s[i]))
                {
                    if (i > start) sb.Append(s[start..i].Normalize(form));
                    sb.Append(s[i]);
                    start = i + 1;
                }
                else i += len - 1;
            }
            if (start < s.Length) sb.Append(s[start..].Normalize(form));
            return sb.ToString();
        }
    }

    /// <summary>Removes every code point whose category is a mark (<c>\p{M}</c>) or only non-spacing marks (<c>\p{Mn}</c>).</summary>
    public static string RemoveMarks(string s, bool nonSpacingOnly)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < s.Length; i++)
        {
            int cp = CodePointAt(s, i, out int len);
            var cat = cp < 0x300 ? UnicodeCategory.OtherLetter : CharUnicodeInfo.GetUnicodeCategory(cp);
            bool remove = cat == UnicodeCategory.NonSpacingMark
                || (!nonSpacingOnly && cat is UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark);
            if (remove) sb ??= new StringBuilder(s, 0, i, s.Length);
            else sb?.Append(s, i, len);
            i += len - 1;
        }
        return sb?.ToString() ?? s;
    }

    /// <summary>The Hugging Face <c>clean_up_tokenization</c> step applied after decoding.</summary>
    public static string CleanUpTokenization(string text)
    {
        if (text.IndexOf(' ') < 0) return text;
        foreach (var (from, to) in CleanUpReplacements) text = text.Replace(from, to);
        return text;
    }

    /// <summary>The replacements of <see cref="CleanUpTokenization"/>, applied one after the other to the whole text.</summary>
    public static readonly (string From, string To)[] CleanUpReplacements =
    [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ];
}

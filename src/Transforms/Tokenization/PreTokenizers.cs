using System.Text;
using System.Text.Json;

namespace MlNetLlm.Tokenization;

/// <summary>A <c>tokenizer.json</c> pre-tokenizer: splits normalized text into the words the model tokenizes.</summary>
internal abstract class PreTokenizer
{
    /// <summary>Appends the words of <paramref name="text"/> (with their alignment) to <paramref name="words"/>.</summary>
    public abstract void Split(AlignedText text, int sectionIndex, List<AlignedText> words);

    /// <summary>Applies <see cref="Split"/> to every input word (the reference's <c>pre_tokenize</c> over arrays).</summary>
    public List<AlignedText> SplitAll(List<AlignedText> input, int sectionIndex)
    {
        var output = new List<AlignedText>(input.Count);
        foreach (var w in input) Split(w, sectionIndex, output);
        return output;
    }

    public static PreTokenizer? Create(JsonElement config)
    {
        if (config.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var type = config.GetRequiredString("type", "pre_tokenizer");
        return type switch
        {
            "BertPreTokenizer" => new BertPreTokenizer(),
            "ByteLevel" => new ByteLevelPreTokenizer(config.GetBool("add_prefix_space", false), config.GetBool("use_regex", true)),
            "Whitespace" => new WhitespacePreTokenizer(),
            "WhitespaceSplit" => new WhitespaceSplitPreTokenizer(),
            "Metaspace" => new MetaspacePreTokenizer(
                config.GetString("replacement") ?? "\u2581", config.GetString("str_rep"), config.GetString("prepend_scheme") ?? "always"),
            "Split" => new SplitPreTokenizer(TokenizerPattern.Create(config.GetProperty("pattern")),
                config.GetBool("invert", true), config.GetString("behavior")),
            "Punctuation" => new CharClassPreTokenizer(JsText.IsBertPunctuation, keepRunsTogether: true),
            "Digits" => new DigitsPreTokenizer(config.GetBool("individual_digits", false)),
            "Replace" => new ReplacePreTokenizer(TokenizerPattern.Create(config.GetProperty("pattern")), config.GetString("content") ?? ""),
            "Sequence" => new SequencePreTokenizer(config.GetArray("pretokenizers").Select(Create).OfType<PreTokenizer>().ToArray()),
            _ => throw TokenizerJson.Unsupported("pre_tokenizer", type),
        };
    }
}

/// <summary>A pre-tokenizer that only cuts the text (no rewriting), so words can be served as ranges without copies.</summary>
internal abstract class RangePreTokenizer : PreTokenizer
{
    /// <summary>Appends the (start, length) of each word of <paramref name="text"/>.</summary>
    public abstract void SplitRanges(string text, List<(int Start, int Length)> words);

    public sealed override void Split(AlignedText text, int sectionIndex, List<AlignedText> words)
    {
        var ranges = new List<(int Start, int Length)>();
        SplitRanges(text.Text, ranges);
        foreach (var (start, length) in ranges) words.Add(text.Slice(start, length));
    }
}

/// <summary>BERT: runs of non-space, non-punctuation characters, and each punctuation character alone.</summary>
internal sealed class BertPreTokenizer : RangePreTokenizer
{
    public override void SplitRanges(string text, List<(int Start, int Length)> words)
    {
        int start = -1;
        for (int i = 0; i < text.Length;)
        {
            int cp = JsText.CodePointAt(text, i, out int len);
            bool space = JsText.IsWhitespace(cp), punct = !space && JsText.IsBertPunctuation(cp);
            if (space || punct)
            {
                if (start >= 0) { words.Add((start, i - start)); start = -1; }
                if (punct) words.Add((i, len));
            }
            else if (start < 0) start = i;
            i += len;
        }
        if (start >= 0) words.Add((start, text.Length - start));
    }
}

/// <summary>
/// GPT-2 byte level: the GPT-2 word pattern (<c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>,
/// evaluated on code points) then each UTF-8 byte mapped to its printable stand-in character.
/// </summary>
internal sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    public override void Split(AlignedText text, int sectionIndex, List<AlignedText> words)
    {
        if (addPrefixSpace && !text.Text.StartsWith(' ')) text = text.Prepend(" ");
        if (!useRegex) { words.Add(ByteLevelAlphabet.Encode(text, 0, text.Length)); return; }
        int i = 0;
        while (i < text.Length)
        {
            int end = MatchAt(text.Text, i);
            words.Add(ByteLevelAlphabet.Encode(text, i, end));
            i = end;
        }
    }

    private enum Kind { Space, Letter, Number, Other }

    private static Kind KindAt(string s, int i, out int len)
    {
        int cp = JsText.CodePointAt(s, i, out len);
        return JsText.IsWhitespace(cp) ? Kind.Space : JsText.IsLetter(cp) ? Kind.Letter : JsText.IsNumber(cp) ? Kind.Number : Kind.Other;
    }

    private static int MatchAt(string s, int i)
    {
        if (s[i] == '\'' && i + 1 < s.Length)
        {
            char a = s[i + 1];
            if (a is 's' or 't' or 'm' or 'd') return i + 2;
            if (i + 2 < s.Length)
            {
                char b = s[i + 2];
                if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return i + 3;
            }
        }

        var kind = KindAt(s, i, out int len);
        int start = i;
        if (s[i] == ' ' && i + 1 < s.Length)
        {
            var next = KindAt(s, i + 1, out _);
            if (next != Kind.Space) { kind = next; start = i + 1; }
        }
        if (kind != Kind.Space)
        {
            int j = start;
            while (j < s.Length && KindAt(s, j, out int l) == kind) j += l;
            return j;
        }

        // \s+(?!\S) then \s+: a whitespace run keeps its last character for the next word unless it ends the text.
        int k = i, count = 0;
        while (k < s.Length && KindAt(s, k, out int l) == Kind.Space) { k += l; count++; }
        if (k == s.Length || count == 1) return k == s.Length ? k : i + len;
        int back = k - 1;
        if (char.IsLowSurrogate(s[back]) && back > i && char.IsHighSurrogate(s[back - 1])) back--;
        return back;
    }
}

/// <summary>The 256 printable characters GPT-2 uses to stand for bytes.</summary>
internal static class ByteLevelAlphabet
{
    public static readonly char[] ByteToChar = Build();
    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private static char[] Build()
    {
        var map = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)(256 + n++);
        }
        return map;
    }

    /// <summary>
    /// Characters [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="text"/> as stand-ins for their
    /// UTF-8 bytes; each character's range goes to its first byte.
    /// </summary>
    public static AlignedText Encode(AlignedText text, int from, int to)
    {
        var b = text.CreateBuilder(to - from);
        Span<byte> bytes = stackalloc byte[4];
        Span<char> mapped = stackalloc char[4];
        for (int i = from; i < to;)
        {
            JsText.CodePointAt(text.Text, i, out int len);
            int count = Encoding.UTF8.GetBytes(text.Text.AsSpan(i, len), bytes);
            for (int k = 0; k < count; k++) mapped[k] = ByteToChar[bytes[k]];
            b.Append(mapped[..count], i, i + len);
            i += len;
        }
        return b.Build();
    }

    /// <summary>Maps stand-in characters back to bytes; characters outside the alphabet become byte 0, as in the reference.</summary>
    public static byte[] Decode(string text)
    {
        var bytes = new byte[text.Length];
        for (int k = 0; k < text.Length; k++) bytes[k] = CharToByte.TryGetValue(text[k], out var b) ? b : (byte)0;
        return bytes;
    }
}

/// <summary><c>\w+|[^\w\s]+</c> (ASCII <c>\w</c>, as JS without the u flag).</summary>
internal sealed class WhitespacePreTokenizer : RangePreTokenizer
{
    private static bool IsWord(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);

    public override void SplitRanges(string text, List<(int Start, int Length)> words)
    {
        int i = 0;
        while (i < text.Length)
        {
            if (JsText.IsWhitespace(text[i])) { i++; continue; }
            bool word = IsWord(text[i]);
            int j = i + 1;
            while (j < text.Length && !JsText.IsWhitespace(text[j]) && IsWord(text[j]) == word) j++;
            words.Add((i, j - i));
            i = j;
        }
    }
}

/// <summary>Splits on JS whitespace.</summary>
internal sealed class WhitespaceSplitPreTokenizer : RangePreTokenizer
{
    public override void SplitRanges(string text, List<(int Start, int Length)> words)
    {
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            if (JsText.IsWhitespace(text[i])) { if (start >= 0) { words.Add((start, i - start)); start = -1; } }
            else if (start < 0) start = i;
        }
        if (start >= 0) words.Add((start, text.Length - start));
    }
}

/// <summary>SentencePiece's metaspace: spaces become ▁ and a ▁ is prepended (always, or to the first section only).</summary>
internal sealed class MetaspacePreTokenizer(string replacement, string? strRep, string prependScheme) : PreTokenizer
{
    private readonly string _rep = string.IsNullOrEmpty(strRep) ? replacement : strRep;

    public override void Split(AlignedText text, int sectionIndex, List<AlignedText> words)
    {
        var b = text.CreateBuilder(text.Length + _rep.Length);
        int run = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text.Text[i] != ' ') continue;
            b.Copy(run, i);
            b.Append(_rep, i, i + 1);
            run = i + 1;
        }
        b.Copy(run, text.Length);
        var replaced = b.Build();
        if (!replaced.Text.StartsWith(replacement, StringComparison.Ordinal)
            && (prependScheme == "always" || (prependScheme == "first" && sectionIndex == 0)))
            replaced = replaced.Prepend(_rep);
        words.Add(replaced);
    }
}

internal sealed class SplitPreTokenizer(TokenizerPattern pattern, bool invert, string? behavior) : RangePreTokenizer
{
    public override void SplitRanges(string text, List<(int Start, int Length)> words)
    {
        foreach (var (start, length, isMatch) in pattern.Split(text))
        {
            if (invert) { if (isMatch) words.Add((start, length)); }
            else if (string.Equals(behavior, "removed", StringComparison.OrdinalIgnoreCase)) { if (!isMatch) words.Add((start, length)); }
            else words.Add((start, length));
        }
    }
}

/// <summary>Runs of characters in a class and runs of characters outside it (Punctuation pre-tokenizer).</summary>
internal sealed class CharClassPreTokenizer(Func<int, bool> inClass, bool keepRunsTogether) : RangePreTokenizer
{
    public override void SplitRanges(string text, List<(int Start, int Length)> words)
    {
        int i = 0;
        while (i < text.Length)
        {
            bool cls = inClass(JsText.CodePointAt(text, i, out int len));
            int j = i + len;
            while (keepRunsTogether && j < text.Length && inClass(JsText.CodePointAt(text, j, out int l)) == cls) j += l;
            words.Add((i, j - i));
            i = j;
        }
    }
}

/// <summary>Separates digits (<c>\d</c>, ASCII) from the rest, each digit alone when <c>individual_digits</c>.</summary>
internal sealed class DigitsPreTokenizer(bool individual) : RangePreTokenizer
{
    public override void SplitRanges(string text, List<(int Start, int Length)> words)
    {
        int i = 0;
        while (i < text.Length)
        {
            bool digit = char.IsAsciiDigit(text[i]);
            int j = i + 1;
            if (!digit || !individual)
                while (j < text.Length && char.IsAsciiDigit(text[j]) == digit) j++;
            words.Add((i, j - i));
            i = j;
        }
    }
}

internal sealed class ReplacePreTokenizer(TokenizerPattern pattern, string content) : PreTokenizer
{
    public override void Split(AlignedText text, int sectionIndex, List<AlignedText> words) => words.Add(pattern.ReplaceAll(text, content));
}

internal sealed class SequencePreTokenizer(PreTokenizer[] steps) : PreTokenizer
{
    public override void Split(AlignedText text, int sectionIndex, List<AlignedText> words)
    {
        var current = new List<AlignedText> { text };
        foreach (var step in steps) current = step.SplitAll(current, sectionIndex);
        words.AddRange(current);
    }
}

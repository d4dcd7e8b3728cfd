using System.Text;

namespace MlNetLlm.Tokenization;

/// <summary>
/// Text being normalized or pre-tokenized, with for each of its characters the range of the original text it came from
/// (Hugging Face's <c>NormalizedString</c> alignments). An inserted character (a prepended ▁, a prefix space) has an empty
/// range at its position; a character split into several (a UTF-8 byte, an expanded ligature) keeps the whole range on
/// its first part and an empty range at the end on the others, so ranges never overlap or go backwards.
/// </summary>
internal sealed class AlignedText
{
    // Null arrays mean the identity alignment: character i came from original character _origin + i.
    private readonly int[]? _starts, _ends;
    private readonly int _origin;

    public AlignedText(string text, int[]? starts, int[]? ends, int origin)
    {
        Text = text;
        _starts = starts;
        _ends = ends;
        _origin = origin;
    }

    public string Text { get; }

    public int Length => Text.Length;

    /// <summary>The text unchanged, starting at <paramref name="offset"/> of the original.</summary>
    public static AlignedText Identity(string text, int offset) => new(text, null, null, offset);

    private int StartOf(int i) => _starts is null ? _origin + i : _starts[i];

    private int EndOf(int i) => _ends is null ? _origin + i + 1 : _ends[i];

    /// <summary>Where an empty piece at index <paramref name="index"/> (0..Length) sits in the original.</summary>
    public int PositionAt(int index) => index < Length ? StartOf(index) : Length > 0 ? EndOf(Length - 1) : _origin;

    /// <summary>The original range covered by characters [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public (int Start, int End) Span(int start, int end)
    {
        if (start >= end) { int p = PositionAt(start); return (p, p); }
        if (_starts is null) return (_origin + start, _origin + end);
        int s = int.MaxValue, e = int.MinValue;
        for (int i = start; i < end; i++)
        {
            if (_starts[i] == _ends![i]) continue; // inserted or continuation: contributes no characters
            s = Math.Min(s, _starts[i]);
            e = Math.Max(e, _ends[i]);
        }
        if (s == int.MaxValue) { int p = _starts[start]; return (p, p); }
        return (s, e);
    }

    public AlignedText Slice(int start, int length) => _starts is null
        ? new(Text.Substring(start, length), null, null, _origin + start)
        : new(Text.Substring(start, length), _starts[start..(start + length)], _ends![start..(start + length)], PositionAt(start));

    /// <summary>The same alignment with different characters of the same length (a per-character rewrite).</summary>
    public AlignedText WithText(string text) => new(text, _starts, _ends, _origin);

    /// <summary>This text after inserted characters (empty ranges at its start).</summary>
    public AlignedText Prepend(string prefix)
    {
        if (prefix.Length == 0) return this;
        var b = CreateBuilder(prefix.Length + Length);
        int p = PositionAt(0);
        foreach (char c in prefix) b.Append(c, p, p);
        b.Copy(0, Length);
        return b.Build();
    }

    /// <summary>Builds a new aligned text piece by piece from this one.</summary>
    public Builder CreateBuilder(int capacity) => new(this, capacity);

    /// <summary>Appends output text, each piece taking its range from characters of the source.</summary>
    internal sealed class Builder(AlignedText source, int capacity)
    {
        private readonly StringBuilder _text = new(capacity);
        private readonly List<int> _starts = new(capacity), _ends = new(capacity);

        /// <summary>
        /// Appends <paramref name="piece"/> as made from source characters [<paramref name="from"/>, <paramref name="to"/>):
        /// its first non-space character takes their range (spaces around CJK characters, combining marks and the rest of
        /// an expansion get empty ranges).
        /// </summary>
        public void Append(ReadOnlySpan<char> piece, int from, int to)
        {
            var (start, end) = source.Span(from, to);
            int owner = 0;
            while (owner < piece.Length - 1 && piece[owner] == ' ') owner++;
            for (int k = 0; k < piece.Length; k++)
            {
                _text.Append(piece[k]);
                _starts.Add(k < owner ? start : k == owner ? start : end);
                _ends.Add(k < owner ? start : end);
            }
        }

        /// <summary>Copies source characters [<paramref name="from"/>, <paramref name="to"/>) with their own ranges.</summary>
        public void Copy(int from, int to)
        {
            _text.Append(source.Text, from, to - from);
            for (int i = from; i < to; i++)
            {
                _starts.Add(source.StartOf(i));
                _ends.Add(source.EndOf(i));
            }
        }

        /// <summary>Appends one character with an explicit original range.</summary>
        public void Append(char c, int start, int end)
        {
            _text.Append(c);
            _starts.Add(start);
            _ends.Add(end);
        }

        public int Length => _text.Length;

        public AlignedText Build() => new(_text.ToString(), _starts.ToArray(), _ends.ToArray(), source.PositionAt(0));
    }
}

namespace MlNetLlm.Generation;

/// <summary>
/// Turns token ids arriving one at a time into text pieces whose concatenation is the text the ids add to their context
/// (<c>Decode(context + ids)</c> minus <c>Decode(context)</c>; with no context, <c>Decode(ids)</c>). Only a small window
/// of ids is decoded per token, so the cost does not grow with the length of the text.
/// </summary>
/// <remarks>
/// As Hugging Face's <c>TextStreamer</c> and onnxruntime-genai's <c>TokenizerStream</c>, the window keeps a few already
/// emitted ids before the new ones, so a SentencePiece word start or a byte sequence is decoded in context. A trailing
/// U+FFFD (an incomplete UTF-8 sequence) is held back until the character is complete. The window slides past emitted ids
/// only when decoding the shorter window is checked to give the same text. The window is decoded before
/// clean_up_tokenization_spaces; that clean-up (<c>" ." → "."</c>, <c>" 's" → "'s"</c>) is applied to the stream by
/// <see cref="StreamingCleanUp"/>, holding back only an ending that could still begin one of its patterns.
/// </remarks>
internal sealed class IncrementalDetokenizer
{
    /// <summary>How many emitted ids stay in the window as context.</summary>
    private const int ContextTokens = 4;

    private readonly PretrainedTokenizer _tokenizer;
    private readonly StreamingCleanUp? _cleanUp;
    private readonly List<int> _window = [];
    // (ids in the window, decoded length) after each append not ending inside a character: candidate places to slide to.
    private readonly List<(int Tokens, int Chars)> _boundaries = [];
    private string _text = "";
    private int _emitted;

    /// <summary>Starts after <paramref name="context"/> (e.g. a prompt): its last ids give the first new ids their context.</summary>
    public IncrementalDetokenizer(PretrainedTokenizer tokenizer, IReadOnlyList<int> context)
    {
        _tokenizer = tokenizer;
        _cleanUp = tokenizer.CleansUpTokenizationSpaces ? new StreamingCleanUp() : null;
        for (int i = Math.Max(0, context.Count - ContextTokens); i < context.Count; i++) _window.Add(context[i]);
        _text = Decode(_window.Count);
        _emitted = _text.Length;
    }

    /// <summary>The text decoded but not returned yet because it may still change, as it would end the text now (empty after <see cref="Flush"/>).</summary>
    public string Pending
    {
        get
        {
            var raw = _emitted < _text.Length ? _text.AsSpan(_emitted) : [];
            return _cleanUp?.Preview(raw) ?? raw.ToString();
        }
    }

    /// <summary>Adds one id; returns the text that became final (often empty while a character or word is incomplete).</summary>
    public string Append(int id)
    {
        _window.Add(id);
        _text = Decode(_window.Count);
        int end = StableEnd(_text);
        var piece = end > _emitted ? _text[_emitted..end] : "";
        _emitted = Math.Max(_emitted, end);
        if (_cleanUp is not null) piece = _cleanUp.Append(piece);
        if (!_text.EndsWith('\uFFFD')) _boundaries.Add((_window.Count, _text.Length));
        Slide();
        return piece;
    }

    /// <summary>Returns all text not returned yet (the ids are complete: nothing can change it any more).</summary>
    public string Flush()
    {
        var rest = _emitted < _text.Length ? _text[_emitted..] : "";
        _emitted = _text.Length;
        return _cleanUp is null ? rest : _cleanUp.Append(rest) + _cleanUp.Flush();
    }

    /// <summary>Where the final part of <paramref name="text"/> ends: before a trailing U+FFFD.</summary>
    private int StableEnd(string text)
    {
        int end = text.Length;
        while (end > _emitted && text[end - 1] == '\uFFFD') end--;
        return end;
    }

    /// <summary>
    /// Drops emitted ids from the window, keeping <see cref="ContextTokens"/> before the newest boundary whose text has
    /// been emitted, when decoding the shorter window gives the same text after them.
    /// </summary>
    private void Slide()
    {
        int b = _boundaries.FindLastIndex(x => x.Chars <= _emitted && x.Tokens > ContextTokens);
        if (b < 0) return;
        var (tokens, chars) = _boundaries[b];
        _boundaries.RemoveRange(0, b + 1);
        int drop = tokens - ContextTokens;
        if (chars > _text.Length || !_text.AsSpan(0, chars).SequenceEqual(Decode(tokens))) return;
        var context = _tokenizer.DecodeWithoutCleanUp(_window.Skip(drop).Take(ContextTokens));
        var shorter = _tokenizer.DecodeWithoutCleanUp(_window.Skip(drop));
        if (shorter.Length - context.Length != _text.Length - chars || !shorter.StartsWith(context, StringComparison.Ordinal)
            || !shorter.AsSpan(context.Length).SequenceEqual(_text.AsSpan(chars))) return;
        _window.RemoveRange(0, drop);
        int shift = context.Length - chars;
        _emitted += shift;
        _text = shorter;
        for (int i = 0; i < _boundaries.Count; i++) _boundaries[i] = (_boundaries[i].Tokens - drop, _boundaries[i].Chars + shift);
    }

    /// <summary>How many ids the window holds (for tests of its bound).</summary>
    internal int WindowLength => _window.Count;

    private string Decode(int count) => _tokenizer.DecodeWithoutCleanUp(_window.Take(count));
}

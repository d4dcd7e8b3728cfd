namespace MlNetLlm.Tokenization;

/// <summary>An entry of <c>added_tokens</c>: a string matched in the raw (or normalized) text before tokenization.</summary>
internal sealed record AddedToken(string Content, int Id, bool Special, bool Normalized, bool LeftStrip, bool RightStrip);

/// <summary>Splits text around added tokens by greedy longest match (the reference's dictionary splitter).</summary>
internal sealed class AddedTokenSplitter
{
    private sealed class Node
    {
        public Dictionary<char, Node>? Children;
        public string? End;
    }

    private readonly Node _root = new();
    private readonly bool _empty;
    private readonly System.Buffers.SearchValues<char> _firstChars;

    public AddedTokenSplitter(IEnumerable<string> tokens)
    {
        _empty = true;
        foreach (var token in tokens)
        {
            if (token.Length == 0) continue;
            _empty = false;
            var node = _root;
            foreach (char c in token)
            {
                node.Children ??= [];
                if (!node.Children.TryGetValue(c, out var child)) node.Children[c] = child = new Node();
                node = child;
            }
            node.End = token;
        }
        _firstChars = System.Buffers.SearchValues.Create(_root.Children?.Keys.ToArray() ?? []);
    }

    /// <summary>The text cut into pieces (start, length), each either an added token or the text between two of them.</summary>
    public List<(int Start, int Length)> Split(string text)
    {
        if (_empty) return text.Length == 0 ? [] : [(0, text.Length)];
        var result = new List<(int Start, int Length)>();
        int start = 0, i = 0;
        while (i < text.Length)
        {
            // Jump to the next character that can start an added token.
            int next = text.AsSpan(i).IndexOfAny(_firstChars);
            if (next < 0) break;
            i += next;
            var node = _root;
            string? match = null;
            for (int j = i; j < text.Length && node.Children is not null && node.Children.TryGetValue(text[j], out node); j++)
                if (node.End is not null) match = node.End;
            if (match is null) { i++; continue; }
            if (i > start) result.Add((start, i - start));
            result.Add((i, match.Length));
            i += match.Length;
            start = i;
        }
        if (start < text.Length) result.Add((start, text.Length - start));
        return result;
    }
}

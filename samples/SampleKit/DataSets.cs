namespace MlNetLlm.Samples;

/// <summary>A labelled text (binary): spam vs. ham, positive vs. negative.</summary>
public sealed class LabeledText
{
    /// <summary>True for the positive class (spam; positive sentiment).</summary>
    public bool Label { get; set; }

    /// <summary>The text.</summary>
    public string Text { get; set; } = "";
}

/// <summary>An AG News article: its class (1 World, 2 Sports, 3 Business, 4 Sci/Tech), title and description.</summary>
/// <param name="Label">The class index, 1 to 4.</param>
/// <param name="Title">The headline.</param>
/// <param name="Description">The first sentences of the article, as distributed.</param>
public sealed record NewsArticle(int Label, string Title, string Description)
{
    /// <summary>The class names, in class-index order (index 1 first).</summary>
    public static readonly string[] Classes = ["World", "Sports", "Business", "Sci/Tech"];

    /// <summary>The name of <see cref="Label"/>.</summary>
    public string Class => Classes[Label - 1];

    /// <summary>Title and description as one text, the source's backslash line breaks turned into spaces.</summary>
    public string Text => $"{Title}. {Description.Replace('\\', ' ')}";
}

/// <summary>The labelled text sets the samples, tests and benchmarks use, with their fixed splits.</summary>
public static class DataSets
{
    /// <summary>
    /// SMS Spam Collection (label\ttext lines): exact duplicate (label, text) lines dropped keeping the first; per class,
    /// indices shuffled with Fisher–Yates driven by <c>new Random(42)</c>, and the first 20% go to test. Both sets keep file order.
    /// </summary>
    public static (List<LabeledText> Train, List<LabeledText> Test) SmsSpam(string path)
    {
        var rows = File.ReadLines(path).Where(l => l.Length > 0).Distinct().Select(l =>
        {
            int tab = l.IndexOf('\t');
            return new LabeledText { Label = l[..tab] == "spam", Text = l[(tab + 1)..] };
        }).ToList();
        var test = new HashSet<int>();
        foreach (bool label in new[] { false, true })
        {
            var indices = Enumerable.Range(0, rows.Count).Where(i => rows[i].Label == label).ToArray();
            var random = new Random(42);
            for (int i = indices.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (indices[i], indices[j]) = (indices[j], indices[i]);
            }
            test.UnionWith(indices.Take(indices.Length / 5));
        }
        return (rows.Where((_, i) => !test.Contains(i)).ToList(), rows.Where((_, i) => test.Contains(i)).ToList());
    }

    /// <summary>
    /// AG News CSV (no header; <c>"class","title","description"</c>, every field quoted, quotes doubled, one row per line):
    /// the first <paramref name="take"/> rows (all when null).
    /// </summary>
    public static List<NewsArticle> AgNews(string path, int? take = null) =>
        File.ReadLines(path).Where(l => l.Length > 0).Take(take ?? int.MaxValue).Select(line =>
        {
            var fields = new List<string>();
            var field = new System.Text.StringBuilder();
            bool quoted = false;
            for (int i = 0; i < line.Length; i++)
            {
                char c = line[i];
                if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = !quoted;
                else if (c == ',' && !quoted) { fields.Add(field.ToString()); field.Clear(); }
                else field.Append(c);
            }
            fields.Add(field.ToString());
            if (fields.Count != 3) throw new InvalidDataException($"'{path}': expected 3 fields (class, title, description) in: {line}");
            return new NewsArticle(int.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), fields[1], fields[2]);
        }).ToList();

    /// <summary>SST-2 (header sentence\tlabel, label 1 = positive): the first <paramref name="take"/> rows (all when null).</summary>
    public static List<LabeledText> Sst2(string path, int? take = null) =>
        File.ReadLines(path).Skip(1).Select(l => l.Split('\t')).Where(f => f.Length == 2)
            .Select(f => new LabeledText { Text = f[0], Label = f[1] == "1" }).Take(take ?? int.MaxValue).ToList();

    /// <summary>
    /// A validation split of SST-2 train that looks like dev (whole sentences, where train is mostly their phrases):
    /// <paramref name="count"/> whole sentences — rows of at least 15 tokens that are not a token span of a longer row —
    /// drawn by ordering them on <c>new Random(seed).Next()</c> keys are held out, and every row that is a token span of a
    /// held-out sentence (the sentence and its phrases) is left out of the training part, which keeps file order.
    /// </summary>
    public static (List<LabeledText> Train, List<LabeledText> Holdout) Sst2SentenceHoldout(List<LabeledText> rows, int seed, int count = 800)
    {
        const int minTokens = 15;
        var tokens = rows.Select(r => r.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var longTexts = tokens.Where(t => t.Length >= minTokens).Select(t => string.Join(' ', t)).ToHashSet();
        var phrases = new HashSet<string>();
        foreach (var t in tokens)
            for (int i = 0; i < t.Length; i++)
                for (int j = i + minTokens; j <= t.Length; j++)
                    if (j - i < t.Length && string.Join(' ', t[i..j]) is var span && longTexts.Contains(span)) phrases.Add(span);
        var sentences = Enumerable.Range(0, rows.Count)
            .Where(i => tokens[i].Length >= minTokens && !phrases.Contains(string.Join(' ', tokens[i]))).ToList();
        var random = new Random(seed);
        var holdout = sentences.OrderBy(_ => random.Next()).Take(count).ToList();
        var spans = new HashSet<string>();
        foreach (var t in holdout.Select(i => tokens[i]))
            for (int i = 0; i < t.Length; i++)
                for (int j = i + 1; j <= t.Length; j++) spans.Add(string.Join(' ', t[i..j]));
        var train = rows.Where((_, i) => !spans.Contains(string.Join(' ', tokens[i]))).ToList();
        return (train, holdout.Select(i => rows[i]).ToList());
    }
}

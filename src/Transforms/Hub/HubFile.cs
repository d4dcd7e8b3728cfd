namespace MlNetLlm;

/// <summary>
/// One entry of a hub download: a repo path, or alternatives tried in order until one exists, each a set of paths
/// needed together. <c>HubFile.Of("tokenizer.json").Or("vocab.txt").Or("vocab.json", "merges.txt")</c> asks for
/// <c>tokenizer.json</c>, else <c>vocab.txt</c>, else both <c>vocab.json</c> and <c>merges.txt</c>; a plain string
/// converts to a single path.
/// </summary>
public sealed class HubFile
{
    private HubFile(IReadOnlyList<IReadOnlyList<string>> alternatives) => Alternatives = alternatives;

    /// <summary>The alternatives in the order tried; each lists the repo paths it needs.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Alternatives { get; }

    /// <summary>An entry whose first (or only) alternative needs all of <paramref name="paths"/>.</summary>
    /// <exception cref="ArgumentException">No path, a blank path, or a path with <c>|</c> (not a repo path).</exception>
    public static HubFile Of(params string[] paths) => new([Checked(paths)]);

    /// <summary>This entry with one more alternative, tried after the others, needing all of <paramref name="paths"/>.</summary>
    /// <exception cref="ArgumentException">No path, a blank path, or a path with <c>|</c> (not a repo path).</exception>
    public HubFile Or(params string[] paths) => new([.. Alternatives, Checked(paths)]);

    /// <summary>An entry with <paramref name="alternatives"/> in the order tried (at least one), each needing all its paths.</summary>
    internal static HubFile AnyOf(IEnumerable<string[]> alternatives)
    {
        IReadOnlyList<IReadOnlyList<string>> checkedAlternatives = [.. alternatives.Select(Checked)];
        if (checkedAlternatives.Count == 0) throw new ArgumentException("A hub file entry needs at least one alternative.", nameof(alternatives));
        return new(checkedAlternatives);
    }

    /// <summary>A single repo path (see <see cref="Of"/>).</summary>
    public static implicit operator HubFile(string path) => Of(path);

    /// <summary>The entry as people read it: <c>tokenizer.json | vocab.txt | vocab.json + merges.txt</c>.</summary>
    public override string ToString() => string.Join(" | ", Alternatives.Select(files => string.Join(" + ", files)));

    private static string[] Checked(string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Length == 0 || paths.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("A hub file entry needs at least one repo path, and no blank paths.", nameof(paths));
        if (paths.FirstOrDefault(p => p.Contains('|', StringComparison.Ordinal)) is { } listed)
            throw new ArgumentException(
                $"'{listed}' is not a repo path: give alternatives with HubFile.Of(\"a\").Or(\"b\") and files needed together as HubFile.Of(\"a\", \"b\").",
                nameof(paths));
        return [.. paths];
    }
}

using System.Text.Json;

namespace MlNetLlm.Tokenization;

/// <summary>The token sequence a post-processor builds: tokens with their ranges in the text, segment ids, special mask.</summary>
internal sealed class ProcessedTokens
{
    public List<TokenPiece> Tokens { get; } = [];
    public List<int> TypeIds { get; } = [];
    public List<int> SpecialMask { get; } = [];

    /// <summary>Which text each token came from: 0 the first, 1 the second of a pair, -1 a special token.</summary>
    public List<int> SequenceIds { get; } = [];

    /// <summary>Adds a special token; it covers no text (range (0, 0)).</summary>
    public void AddSpecial(int id, int typeId)
    {
        Tokens.Add(new TokenPiece(id, 0, 0));
        TypeIds.Add(typeId);
        SpecialMask.Add(1);
        SequenceIds.Add(-1);
    }

    public void AddSequence(List<TokenPiece> tokens, int typeId, bool second)
    {
        Tokens.AddRange(tokens);
        for (int i = 0; i < tokens.Count; i++)
        {
            TypeIds.Add(typeId);
            SpecialMask.Add(0);
            SequenceIds.Add(second ? 1 : 0);
        }
    }
}

/// <summary>A <c>tokenizer.json</c> post-processor: adds special tokens around one text or a pair.</summary>
internal abstract class PostProcessor
{
    public abstract ProcessedTokens Process(List<TokenPiece> first, List<TokenPiece>? second, bool addSpecialTokens);

    /// <summary>How many special tokens <see cref="Process"/> adds.</summary>
    public int AddedTokenCount(bool pair) => Process([], pair ? [] : null, true).Tokens.Count;

    public static PostProcessor? Create(JsonElement config, Vocabulary vocab)
    {
        if (config.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined) return null;
        var type = config.GetRequiredString("type", "post_processor");
        return type switch
        {
            "TemplateProcessing" => new TemplateProcessor(
                TemplateProcessor.Parse(config.GetProperty("single"), vocab), TemplateProcessor.Parse(config.GetProperty("pair"), vocab)),
            "BertProcessing" => new ClsSepProcessor(SpecialId(config, "cls", vocab), SpecialId(config, "sep", vocab), doubleSeparator: false),
            "RobertaProcessing" => new ClsSepProcessor(SpecialId(config, "cls", vocab), SpecialId(config, "sep", vocab), doubleSeparator: true),
            "ByteLevel" => new ByteLevelProcessor(),
            "Sequence" => new SequenceProcessor(config.GetArray("processors").Select(p => Create(p, vocab)).OfType<PostProcessor>().ToArray()),
            _ => throw TokenizerJson.Unsupported("post_processor", type),
        };
    }

    // BertProcessing/RobertaProcessing store ["[CLS]", 101]; the reference resolves the string through the vocabulary.
    private static int SpecialId(JsonElement config, string name, Vocabulary vocab)
    {
        var token = config.GetProperty(name)[0].GetString()!;
        return vocab.GetId(token) ?? config.GetProperty(name)[1].GetInt32();
    }

    internal static int ResolveSpecial(string token, Vocabulary vocab, Func<int?> fallback) =>
        vocab.GetId(token) ?? fallback() ?? throw new InvalidDataException($"tokenizer.json: special token '{token}' is not in the vocabulary.");
}

/// <summary>Hugging Face template processing (<c>[CLS] $A [SEP] $B:1 [SEP]:1</c>).</summary>
internal sealed class TemplateProcessor(TemplateProcessor.Item[] single, TemplateProcessor.Item[] pair) : PostProcessor
{
    /// <summary>A template element: a special token id, or sequence A/B; with its segment id.</summary>
    internal readonly record struct Item(int? SpecialId, bool IsSecond, int TypeId);

    public static Item[] Parse(JsonElement template, Vocabulary vocab) => template.EnumerateArray().Select(e =>
    {
        if (e.TryGetProperty("SpecialToken", out var st))
        {
            var token = st.GetProperty("id").GetString()!;
            return new Item(ResolveSpecial(token, vocab, () => null), false, st.GetInt("type_id") ?? 0);
        }
        var seq = e.GetProperty("Sequence");
        return new Item(null, seq.GetString("id") == "B", seq.GetInt("type_id") ?? 0);
    }).ToArray();

    public override ProcessedTokens Process(List<TokenPiece> first, List<TokenPiece>? second, bool addSpecialTokens)
    {
        var result = new ProcessedTokens();
        foreach (var item in second is null ? single : pair)
        {
            if (item.SpecialId is int id) { if (addSpecialTokens) result.AddSpecial(id, item.TypeId); }
            else result.AddSequence(item.IsSecond ? second! : first, item.TypeId, item.IsSecond);
        }
        return result;
    }
}

/// <summary>BERT (<c>[CLS] A [SEP] B [SEP]</c>) and RoBERTa (<c>&lt;s&gt; A &lt;/s&gt;&lt;/s&gt; B &lt;/s&gt;</c>) processing.</summary>
internal sealed class ClsSepProcessor(int cls, int sep, bool doubleSeparator) : PostProcessor
{
    public override ProcessedTokens Process(List<TokenPiece> first, List<TokenPiece>? second, bool addSpecialTokens)
    {
        var result = new ProcessedTokens();
        if (addSpecialTokens) result.AddSpecial(cls, 0);
        result.AddSequence(first, 0, second: false);
        if (addSpecialTokens) result.AddSpecial(sep, 0);
        if (second is not null)
        {
            if (addSpecialTokens && doubleSeparator) result.AddSpecial(sep, 1);
            result.AddSequence(second, 1, second: true);
            if (addSpecialTokens) result.AddSpecial(sep, 1);
        }
        return result;
    }
}

/// <summary>
/// GPT-2's byte-level post-processor adds no special tokens: a pair is the first text then the second (segment id 1),
/// as Hugging Face <c>tokenizers</c> does.
/// </summary>
internal sealed class ByteLevelProcessor : PostProcessor
{
    public override ProcessedTokens Process(List<TokenPiece> first, List<TokenPiece>? second, bool addSpecialTokens)
    {
        var result = new ProcessedTokens();
        result.AddSequence(first, 0, second: false);
        if (second is not null) result.AddSequence(second, 1, second: true);
        return result;
    }
}

internal sealed class SequenceProcessor(PostProcessor[] steps) : PostProcessor
{
    public override ProcessedTokens Process(List<TokenPiece> first, List<TokenPiece>? second, bool addSpecialTokens)
    {
        // The reference threads only the processed first sequence from one step to the next.
        ProcessedTokens? result = null;
        foreach (var step in steps)
        {
            if (step is ByteLevelProcessor) continue; // passes both sequences through unchanged
            result = step.Process(first, second, addSpecialTokens);
            first = result.Tokens;
            second = null;
        }
        return result ?? new ByteLevelProcessor().Process(first, second, addSpecialTokens);
    }
}

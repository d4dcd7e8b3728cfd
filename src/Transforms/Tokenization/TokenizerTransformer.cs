using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetLlm.Persistence;
using MlNetLlm.Pipeline;

namespace MlNetLlm;

/// <summary>
/// Adds <c>InputIds</c>, <c>AttentionMask</c> and <c>TokenTypeIds</c> (variable-length vectors of Int64) computed by a
/// <see cref="PretrainedTokenizer"/> from a text column (and optionally a second text column, for pairs).
/// Created by <c>mlContext.Transforms.Text.TokenizeForModel</c>.
/// </summary>
public sealed class TokenizerTransformer : TextModelTransformer, IPersistentTransformer
{
    /// <summary>Names of the columns this transformer adds.</summary>
    public const string InputIdsColumn = ColumnNames.InputIds, AttentionMaskColumn = ColumnNames.AttentionMask, TokenTypeIdsColumn = ColumnNames.TokenTypeIds;

    internal TokenizerTransformer(PretrainedTokenizer tokenizer, string inputColumnName, int? maxLength, string? textPairColumnName)
        : base(new TokenMapper(tokenizer, inputColumnName, maxLength ?? tokenizer.ModelMaxLength, textPairColumnName))
    {
        Tokenizer = tokenizer;
        InputColumnName = inputColumnName;
        MaxLength = maxLength ?? tokenizer.ModelMaxLength;
        TextPairColumnName = textPairColumnName;
    }

    /// <summary>The tokenizer applied.</summary>
    public PretrainedTokenizer Tokenizer { get; }

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The optional second text column (pairs).</summary>
    public string? TextPairColumnName { get; }

    /// <summary>Maximum number of ids per row (special tokens included), or null for no limit.</summary>
    public int? MaxLength { get; }

    void IPersistentTransformer.SaveStep(PipelineStepWriter writer)
    {
        writer.Set("input", InputColumnName);
        writer.Set("pair", TextPairColumnName);
        writer.Set("maxLength", MaxLength);
        writer.AddFolderFiles(Tokenizer.Directory, PretrainedTokenizer.FileNames);
    }

    static ITransformer IPersistentTransformer.LoadStep(PipelineStepReader reader) => new TokenizerTransformer(
        PretrainedTokenizer.FromDirectory(reader.RequireFolder()), reader.RequireString("input"), reader.GetInt("maxLength"), reader.GetString("pair"));

    private sealed class TokenMapper(PretrainedTokenizer tokenizer, string input, int? maxLength, string? pair) : IBatchMapper
    {
        private static readonly DataViewType IdVector = new VectorDataViewType(NumberDataViewType.Int64);

        public IReadOnlyList<string> InputColumns { get; } = pair is null ? [input] : [input, pair];

        public IReadOnlyList<OutputColumn> OutputColumns { get; } =
            [new(InputIdsColumn, IdVector), new(AttentionMaskColumn, IdVector), new(TokenTypeIdsColumn, IdVector)];

        public int BatchSize => 256;

        public void MapBatch(IReadOnlyList<string[]> inputs, object[][] outputs)
        {
            // Tokenization is CPU-bound and independent per row: spread large batches over the cores.
            if (inputs.Count < 32) for (int r = 0; r < inputs.Count; r++) Map(inputs[r], outputs[r]);
            else Parallel.For(0, inputs.Count, r => Map(inputs[r], outputs[r]));
        }

        private void Map(string[] row, object[] output)
        {
            var encoded = tokenizer.Encode(row[0], row.Length > 1 ? row[1] : null, addSpecialTokens: true, maxLength);
            output[0] = ToVector(encoded.Ids);
            output[1] = ToVector(encoded.AttentionMask);
            output[2] = ToVector(encoded.TypeIds);
        }

        private static VBuffer<long> ToVector(int[] values)
        {
            var longs = new long[values.Length];
            for (int i = 0; i < values.Length; i++) longs[i] = values[i];
            return new VBuffer<long>(longs.Length, longs);
        }
    }
}

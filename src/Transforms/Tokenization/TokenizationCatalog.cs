using MlNetLlm;

namespace Microsoft.ML;

/// <summary>Tokenization for pretrained models: <c>mlContext.Transforms.Text.TokenizeForModel(...)</c>.</summary>
public static class TokenizationCatalog
{
    /// <summary>
    /// Tokenizes <paramref name="inputColumnName"/> (and <paramref name="textPairColumnName"/>, when given, as the second
    /// text of a pair) exactly as Hugging Face does, adding <c>InputIds</c>, <c>AttentionMask</c> and <c>TokenTypeIds</c>
    /// (variable-length Int64 vectors, no padding). Rows longer than <paramref name="maxLength"/> (default: the
    /// tokenizer's <c>model_max_length</c>) are truncated as Hugging Face <c>tokenizers</c> does: the texts are cut
    /// (longest first, for pairs) and the special tokens are kept. Null or empty text gives the special tokens only.
    /// </summary>
    public static TextModelEstimator<TokenizerTransformer> TokenizeForModel(this TransformsCatalog.TextTransforms catalog,
        PretrainedTokenizer tokenizer, string inputColumnName = ColumnNames.Text, int? maxLength = null, string? textPairColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        if (maxLength is <= 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "maxLength must be positive.");
        return new TextModelEstimator<TokenizerTransformer>(() => new TokenizerTransformer(tokenizer, inputColumnName, maxLength, textPairColumnName));
    }
}

namespace MlNetLlm.Tokenization;

/// <summary>One token id with the characters it came from, [<see cref="Start"/>, <see cref="End"/>).</summary>
/// <remarks>A model reports positions within its word; the tokenizer maps them into the original text.</remarks>
internal readonly record struct TokenPiece(int Id, int Start, int End);

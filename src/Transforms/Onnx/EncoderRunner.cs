using System.Collections.Concurrent;
using MlNetLlm.Persistence;
using MlNetLlm.Tokenization;
using Microsoft.ML.OnnxRuntime;

namespace MlNetLlm.Onnx;

/// <summary>Receives one ONNX output batch: row i of <paramref name="output"/> belongs to text <paramref name="rows"/>[i].</summary>
internal delegate void EncoderBatchHandler(ReadOnlySpan<float> output, int paddedLength, IReadOnlyList<TokenizedText> encodings, ReadOnlySpan<int> rows);

/// <summary>
/// A Hugging Face encoder folder (config.json, tokenizer files, model.onnx or onnx/model.onnx) with its one
/// <see cref="InferenceSession"/>. <c>Run</c> (texts) and <c>RunPairs</c> (text pairs) tokenize, sort the encodings by
/// length, pad each batch to its longest encoding and run the graph once per batch. Thread-safe: the session is shared,
/// input buffers are pooled.
/// </summary>
internal sealed class EncoderRunner : IDisposable
{
    /// <summary>
    /// ONNX batches per call of a transform's mapper: a transform pulls this many batches of rows at once, so sorting by
    /// length has more rows to group and tokenization runs in parallel.
    /// </summary>
    public const int BatchesPerMapperCall = 4;

    private const int DefaultMaxLength = 512;
    private static readonly string[] KnownInputs = ["input_ids", "attention_mask", "token_type_ids"];

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames, _outputNames;
    private readonly ConcurrentBag<PaddedBatch> _buffers = [];
    private readonly OnnxDeviceSettings _settings;
    private readonly UsageGate _gate;
    private readonly ModelFamily _family;
    private readonly string? _onnxVariant;

    /// <summary>Loads the folder; the output is the first of <paramref name="outputNames"/> the graph has, checked to be float of rank <paramref name="outputRank"/>.</summary>
    public EncoderRunner(string directory, ModelFamily family, EncoderOptions options, int outputRank, params string[] outputNames)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.BatchSize, EncoderOptions.MaxBatchSize);
        Directory = directory = ModelFolder.RequireDirectory(directory);
        Config = ModelConfig.Load(directory, requireConfig: true);
        _family = family;
        _onnxVariant = options.OnnxVariant;
        ModelPath = family.FindGraph(directory, 0, options.OnnxVariant)[0];
        _gate = new UsageGate(ModelPath);
        Tokenizer = PretrainedTokenizer.FromDirectory(directory);
        if (Config.VocabularySize is int vocabSize && vocabSize < Tokenizer.VocabularySize)
            throw new InvalidDataException(
                $"'{directory}': config.json vocab_size {vocabSize} is smaller than the tokenizer's vocabulary ({Tokenizer.VocabularySize} tokens); " +
                "the tokenizer does not belong to this model.");
        MaxLength = ResolveMaxLength(options.MaxLength);
        BatchSize = options.BatchSize;

        // Tokenizing and pooling run on managed threads between ONNX runs; spinning ONNX threads would take their cores.
        _settings = new OnnxDeviceSettings(options.GpuDeviceId, options.FallbackToCpu, options.IntraOpNumThreads, options.InterOpNumThreads, AllowSpinning: false);
        _session = OnnxSessionFactory.Create(ModelPath, _settings, out var device);
        try
        {
            OnnxSignature.RequireInputs(_session, ModelPath, "input_ids", "attention_mask");
            var unexpected = _session.InputMetadata.Keys.Except(KnownInputs).ToArray();
            if (unexpected.Length > 0)
                throw new InvalidDataException(
                    $"ONNX model '{ModelPath}' has input(s) [{string.Join(", ", unexpected)}] an encoder does not feed; " +
                    $"expected only [{string.Join(", ", KnownInputs)}].");
            _inputNames = KnownInputs.Where(_session.InputMetadata.ContainsKey).ToArray();
            foreach (var name in _inputNames) OnnxSignature.RequireShape(_session.InputMetadata, ModelPath, name, typeof(long), 2);
            _outputNames = [OnnxSignature.RequireOutput(_session, ModelPath, outputNames)];
            OnnxSignature.RequireShape(_session.OutputMetadata, ModelPath, _outputNames[0], typeof(float), outputRank);
        }
        catch
        {
            Dispose();
            throw;
        }
        Device = device;
    }

    /// <summary>The model folder.</summary>
    public string Directory { get; }

    /// <summary>The folder's <c>config.json</c> (and <c>generation_config.json</c>), typed.</summary>
    public ModelConfig Config { get; }

    /// <summary>The ONNX file in use.</summary>
    public string ModelPath { get; }

    /// <summary>The folder's tokenizer.</summary>
    public PretrainedTokenizer Tokenizer { get; }

    /// <summary>"CPU" or "CUDA:n".</summary>
    public string Device { get; }

    /// <summary>Tokens per text after truncation.</summary>
    public int MaxLength { get; }

    /// <summary>Texts per ONNX run.</summary>
    public int BatchSize { get; }

    /// <summary>Fixed size of the output's last dimension, or null when the graph leaves it symbolic.</summary>
    public int? OutputWidth => _session.OutputMetadata[_outputNames[0]].Dimensions[^1] is > 0 and var d ? d : null;

    /// <summary>Encodes <paramref name="texts"/> (null = empty) and hands every batch's output to <paramref name="handler"/>.</summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public void Run(IReadOnlyList<string?> texts, EncoderBatchHandler handler) => Run(Tokenizer.EncodeBatch(texts, maxLength: MaxLength), handler);

    /// <summary>
    /// Encodes text pairs as one sequence each (<c>[CLS] a [SEP] b [SEP]</c>, <c>token_type_ids</c> 1 on the second text;
    /// null = empty), truncated by <paramref name="truncation"/>, and hands every batch's output to <paramref name="handler"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public void RunPairs(IReadOnlyList<(string? First, string? Second)> pairs, EncoderBatchHandler handler,
        TruncationStrategy truncation = TruncationStrategy.LongestFirst) =>
        Run(Tokenizer.EncodeBatch(pairs.Select(p => p.First).ToArray(), pairs.Select(p => p.Second).ToArray(), maxLength: MaxLength, truncation: truncation), handler);

    private void Run(IReadOnlyList<TokenizedText> encodings, EncoderBatchHandler handler)
    {
        using var lease = _gate.Enter();
        var order = PaddedBatch.OrderByLength(encodings);
        var batch = _buffers.TryTake(out var pooled) ? pooled : new PaddedBatch();
        try
        {
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                var rows = order.AsSpan(start, Math.Min(BatchSize, order.Length - start));
                batch.Fill(encodings, rows, Tokenizer.PadTokenId);
                using var ids = batch.InputIds();
                using var mask = batch.AttentionMask();
                using var types = _inputNames.Length == 3 ? batch.TokenTypeIds() : null;
                OrtValue[] inputs = types is null ? [ids, mask] : [ids, mask, types];
                using var outputs = _session.Run(_runOptions, _inputNames, inputs, _outputNames);
                handler(outputs[0].GetTensorDataAsSpan<float>(), batch.Length, encodings, rows);
            }
        }
        finally
        {
            _buffers.Add(batch);
        }
    }

    /// <summary>Saves the shared options and the folder's files (config, ONNX graph and external data, tokenizer) for <c>SavePipeline</c>.</summary>
    public void SaveStep(PipelineStepWriter writer)
    {
        writer.Set("maxLength", MaxLength);
        writer.Set("batchSize", BatchSize);
        writer.Set("gpuDeviceId", _settings.GpuDeviceId);
        writer.Set("fallbackToCpu", _settings.FallbackToCpu);
        writer.Set("intraOpNumThreads", _settings.IntraOpNumThreads);
        writer.Set("interOpNumThreads", _settings.InterOpNumThreads);
        writer.Set("onnxVariant", _onnxVariant);
        writer.AddFolderFiles(Directory, _family.PersistedFiles(Directory, [ModelPath]));
    }

    /// <summary>Reads what <see cref="SaveStep"/> wrote into <paramref name="options"/>; returns the extracted folder.</summary>
    public static string LoadStep(PipelineStepReader reader, EncoderOptions options)
    {
        options.MaxLength = reader.GetInt("maxLength");
        options.BatchSize = reader.GetInt("batchSize") ?? options.BatchSize;
        options.GpuDeviceId = reader.GetInt("gpuDeviceId");
        options.FallbackToCpu = reader.RequireBool("fallbackToCpu");
        options.OnnxVariant = reader.GetString("onnxVariant");
        options.IntraOpNumThreads = reader.GetInt("intraOpNumThreads");
        options.InterOpNumThreads = reader.GetInt("interOpNumThreads");
        return reader.RequireFolder();
    }

    /// <summary>Waits for the runs in flight, then releases the session; later runs throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (!_gate.Close()) return;
        _session.Dispose();
        _runOptions.Dispose();
    }

    private int ResolveMaxLength(int? requested)
    {
        int?[] limits = [Tokenizer.ModelMaxLength, Config.ContextLength];
        int limit = limits.Min() ?? DefaultMaxLength;
        // The special tokens are never cut, so MaxLength must at least hold them.
        int least = Math.Max(1, Tokenizer.SpecialTokenCount());
        if (requested is int max && (max < least || max > limit))
            throw new ArgumentOutOfRangeException(nameof(EncoderOptions.MaxLength), max,
                $"MaxLength must be between {least} (the tokenizer's special tokens) and the model's limit {limit}.");
        // sentence-transformers folders choose their own default (all-MiniLM-L6-v2: 256 of 512 positions).
        var sentenceConfig = ModelFolder.FindFirst(Directory, "sentence_bert_config.json");
        int? sentenceDefault = sentenceConfig is null ? null : TokenizerJson.ParseFile(sentenceConfig).GetInt("max_seq_length");
        return requested ?? Math.Min(limit, sentenceDefault ?? limit);
    }
}

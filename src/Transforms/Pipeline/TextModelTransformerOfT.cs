namespace MlNetLlm;

/// <summary>
/// A <see cref="TextModelTransformer"/> that applies one model: holds it as <see cref="Model"/> and, when it loaded the
/// model itself (<see cref="TextModelTransformer.OwnsModel"/>), disposes it in <see cref="Dispose"/>; a shared model is
/// left to its owner.
/// </summary>
/// <typeparam name="TModel">The model type.</typeparam>
public abstract class TextModelTransformer<TModel> : TextModelTransformer, IDisposable where TModel : IDisposable
{
    private protected TextModelTransformer(Pipeline.IBatchMapper mapper, TModel model, bool ownsModel)
        : base(mapper, ownsModel ? model : null) => Model = model;

    /// <summary>The model applied: owned by this transformer when it loaded it, else shared with the caller, who disposes it.</summary>
    public TModel Model { get; }

    /// <summary>Releases the model if this transformer loaded it; a shared model is left to its owner.</summary>
    public void Dispose() => DisposeOwnedModel();
}

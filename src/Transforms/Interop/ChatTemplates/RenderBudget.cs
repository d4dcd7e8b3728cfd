using System.Runtime.CompilerServices;

namespace MlNetLlm.ChatTemplates;

/// <summary>
/// Enforces <see cref="ChatTemplateLimits"/> and cancellation for the render (or parse) running on the current thread.
/// Rendering is synchronous, so the budget lives in a thread-static slot set by <see cref="Start"/> for its duration;
/// nodes, expressions and built-ins check it without passing it around.
/// </summary>
internal sealed class RenderBudget
{
    [ThreadStatic]
    private static RenderBudget? t_current;

    private readonly RenderBudget? _previous;
    private readonly CancellationToken _cancellationToken;
    private int _depth;
    private long _iterations;

    private RenderBudget(RenderBudget? previous, CancellationToken cancellationToken)
    {
        _previous = previous;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Makes a fresh budget current on this thread until the returned scope is disposed.</summary>
    public static Scope Start(CancellationToken cancellationToken)
    {
        t_current = new RenderBudget(t_current, cancellationToken);
        return new Scope(t_current);
    }

    /// <summary>Enters one level of nesting; fails past <see cref="ChatTemplateLimits.MaxDepth"/> or when the stack runs low.</summary>
    public static Level Nest()
    {
        var budget = t_current;
        if (budget is null) return default;
        if (++budget._depth > ChatTemplateLimits.MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            budget._depth--;
            throw Exceeded(nameof(ChatTemplateLimits.MaxDepth), $"nests deeper than {ChatTemplateLimits.MaxDepth} levels (or a value contains itself)");
        }
        return new Level(budget);
    }

    /// <summary>Counts one loop iteration (or produced item) and checks for cancellation.</summary>
    public static void Step()
    {
        var budget = t_current;
        if (budget is null) return;
        budget._cancellationToken.ThrowIfCancellationRequested();
        if (++budget._iterations > ChatTemplateLimits.MaxLoopIterations)
            throw Exceeded(nameof(ChatTemplateLimits.MaxLoopIterations), $"runs more than {ChatTemplateLimits.MaxLoopIterations} loop iterations");
    }

    /// <summary>Fails when a string or the output has grown past <see cref="ChatTemplateLimits.MaxOutputLength"/> characters.</summary>
    public static void CheckLength(int length)
    {
        if (length > ChatTemplateLimits.MaxOutputLength)
            throw Exceeded(nameof(ChatTemplateLimits.MaxOutputLength), $"produces more than {ChatTemplateLimits.MaxOutputLength} characters");
    }

    /// <summary>Fails when a list has more than <see cref="ChatTemplateLimits.MaxListLength"/> items.</summary>
    public static void CheckCount(int count)
    {
        if (count > ChatTemplateLimits.MaxListLength)
            throw Exceeded(nameof(ChatTemplateLimits.MaxListLength), $"builds a list of more than {ChatTemplateLimits.MaxListLength} items");
    }

    private static ChatTemplateLimitException Exceeded(string limit, string what) =>
        new(limit, $"The chat template {what}: ChatTemplateLimits.{limit} stops it.");

    /// <summary>One level of nesting; disposing it leaves the level.</summary>
    public readonly struct Level(RenderBudget? budget) : IDisposable
    {
        public void Dispose()
        {
            if (budget is not null) budget._depth--;
        }
    }

    /// <summary>The span during which a budget is current; disposing it restores the previous one.</summary>
    public readonly struct Scope(RenderBudget budget) : IDisposable
    {
        public void Dispose() => t_current = budget._previous;
    }
}

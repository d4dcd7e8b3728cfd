using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace MlNetLlm.Generation;

/// <summary>Streams a <see cref="GenerationSession"/>'s text: tokens are generated on one thread-pool thread, back to back, while the caller reads pieces as they arrive.</summary>
internal static class GenerationStream
{
    /// <summary>
    /// Runs <paramref name="session"/> (taking ownership) for its first row and yields its new text after each step.
    /// <paramref name="finished"/> receives the result once generation ends normally. Cancellation (or leaving the loop)
    /// stops generation before the next token; a cancelled enumeration throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async IAsyncEnumerable<string> ReadAsync(GenerationSession session, Action<GenerationResult>? finished,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(() =>
        {
            try
            {
                using (session)
                {
                    for (bool more = true; more;)
                    {
                        stop.Token.ThrowIfCancellationRequested();
                        more = session.Step();
                        var piece = session.TakeNewText(0);
                        if (piece.Length > 0) pieces.Writer.TryWrite(piece);
                    }
                    finished?.Invoke(session.GetResult(0));
                }
                pieces.Writer.Complete();
            }
            catch (Exception ex)
            {
                pieces.Writer.Complete(ex);
            }
        }, CancellationToken.None);
        try
        {
            while (await pieces.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                while (pieces.Reader.TryRead(out var piece))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return piece;
                }
        }
        finally
        {
            stop.Cancel();
            await producer.ConfigureAwait(false);
        }
    }
}

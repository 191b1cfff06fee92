namespace Umt.Runner.Engine.Data;

/// <summary>Position in the sample stream: the next sample is <c>Permutation(seed, Epoch)[Offset]</c>.</summary>
public readonly record struct DataCursor(long Epoch, long Offset)
{
    /// <summary>The cursor after taking a batch of <paramref name="batch"/> samples; an incomplete tail is dropped.</summary>
    public DataCursor Advance(int batch, long count)
    {
        var start = Offset + batch > count ? new DataCursor(Epoch + 1, 0) : this;
        return start with { Offset = start.Offset + batch };
    }

    /// <summary>Where a batch of <paramref name="batch"/> samples starts from this cursor.</summary>
    public DataCursor BatchStart(int batch, long count) => Offset + batch > count ? new DataCursor(Epoch + 1, 0) : this;
}

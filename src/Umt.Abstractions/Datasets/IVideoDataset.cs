namespace Umt.Abstractions.Datasets;

/// <summary>A dataset bound to its options (plugin kind <c>dataset</c>).</summary>
public interface IVideoDataset : IDisposable
{
    DatasetInfo Info { get; }

    /// <summary>
    /// Reads sample <paramref name="index"/> in [0, Count). Thread-safe: decode workers call it
    /// concurrently. All randomness (frame offsets, crops) comes from <paramref name="augmentationKey"/>,
    /// which the runner derives from (seed, epoch, index), so a sample draws the same in every
    /// process layout. Returns managed memory only, so workers never touch native tensors.
    /// A sample that cannot be read throws <see cref="UnreadableMediaException"/> (the runner
    /// skips and replaces it); <paramref name="cancel"/> stops a read in flight, child processes
    /// included, when the run shuts down.
    /// </summary>
    VideoSample Read(long index, ulong augmentationKey, CancellationToken cancel = default);
}

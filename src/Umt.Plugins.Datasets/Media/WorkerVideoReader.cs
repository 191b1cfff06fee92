using Serilog;
using Umt.DecodeWorker;
using Umt.Plugins.Datasets.Augmentation;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// Video through long-lived decode workers (<c>Decoder = workers</c>): probing as the CLI reader
/// does (the MP4 header, else ffprobe), frames from a <see cref="DecodeWorkerPool"/>; clips the
/// workers leave to the CLI (rotated video) and every clip where workers cannot run go to
/// <see cref="FfmpegVideoReader"/>, which gives the same frames.
/// </summary>
internal sealed class WorkerVideoReader(TimeSpan timeout, ILogger log) : IMediaReader, IDisposable
{
    private readonly FfmpegVideoReader cli = new(timeout);
    private readonly DecodeWorkerPool pool = new(timeout, log);

    public DecodeWorkerPool Pool => pool;

    public MediaInfo Probe(string path, CancellationToken cancel) => cli.Probe(path, cancel);

    public byte[] Read(string path, MediaInfo info, IReadOnlyList<int> frames, CropBox crop, int size, Resampling resampling, CancellationToken cancel)
    {
        int[] unique = SampledFrames.Unique(frames);
        var request = new DecodeRequest(path, crop.X, crop.Y, crop.Width, crop.Height, size, resampling == Resampling.Bicubic, unique);
        if (pool.Decode(request, cancel) is not { } answer || answer.Status == DecodeStatus.UseCli)
        {
            return cli.Read(path, info, frames, crop, size, resampling, cancel);
        }
        return SampledFrames.Clip(path, info, frames, unique, answer.Rgb, size * size * 3, answer.Message);
    }

    public void Dispose() => pool.Dispose();
}

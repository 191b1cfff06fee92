using System.Globalization;
using System.Text.Json;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// Video through Debian's ffmpeg (data-and-weights.md §1, method A′): <c>ffprobe</c> for size and
/// frame count, then one <c>ffmpeg</c> per clip whose filter graph selects the sampled frames,
/// crops, scales and converts them, so only T small RGB frames cross the pipe. One decoder
/// thread per process: W workers run W processes side by side.
/// </summary>
internal sealed class FfmpegVideoReader(TimeSpan timeout) : IMediaReader
{
    public MediaInfo Probe(string path, CancellationToken cancel)
    {
        if (Mp4Header.TryRead(path) is { } header)
        {
            return header;
        }
        return ProbeWithFfprobe(path, cancel);
    }

    /// <summary>ffprobe: every container, and the error message when a file is not a video.</summary>
    internal MediaInfo ProbeWithFfprobe(string path, CancellationToken cancel)
    {
        var (stream, containerDuration) = ProbeStream(path, countPackets: false, cancel);
        int frames = FrameCount(stream, containerDuration);
        if (frames <= 0)
        {
            // No frame count in the container and no duration (some webm/mkv, raw streams): count packets.
            frames = ReadInt(ProbeStream(path, countPackets: true, cancel).Stream, "nb_read_packets");
        }
        if (frames <= 0)
        {
            throw new UnreadableMediaException(path, "no frames", "ffprobe reports no frame count and no packets");
        }
        int width = ReadInt(stream, "width"), height = ReadInt(stream, "height");
        if (width <= 0 || height <= 0)
        {
            throw new UnreadableMediaException(path, "no video stream", $"frame size {width}×{height}");
        }
        // ffmpeg auto-rotates on decode, so a portrait phone clip tagged 90° decodes as height × width.
        if (Math.Abs(Rotation(stream)) % 180 == 90)
        {
            (width, height) = (height, width);
        }
        string codec = stream.TryGetProperty("codec_name", out var name) ? name.GetString() ?? "?" : "?";
        return new MediaInfo(width, height, frames, codec);
    }

    public byte[] Read(string path, MediaInfo info, IReadOnlyList<int> frames, CropBox crop, int size, Resampling resampling, CancellationToken cancel)
    {
        // select keeps frames whose decode index n is listed; each listed frame comes out once, in order.
        int[] unique = SampledFrames.Unique(frames);
        string select = string.Join('+', unique.Select(n => string.Create(CultureInfo.InvariantCulture, $"eq(n\\,{n})")));
        string filter = string.Create(CultureInfo.InvariantCulture,
            $"select={select},crop=w={crop.Width}:h={crop.Height}:x={crop.X}:y={crop.Y}:exact=1,scale={size}:{size}:flags={Flag(resampling)},format=rgb24");
        string[] arguments =
        [
            "-nostdin", "-hide_banner", "-v", "error", "-threads", "1", "-i", path,
            "-map", "0:v:0", "-vf", filter, "-filter_threads", "1", "-fps_mode", "passthrough",
            "-frames:v", unique.Length.ToString(CultureInfo.InvariantCulture), "-an", "-sn", "-dn",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ];
        int frameBytes = size * size * 3;
        var output = Run(FfmpegTools.Ffmpeg, arguments, path, cancel, unique.Length * frameBytes);
        return SampledFrames.Clip(path, info, frames, unique, output.Stdout, frameBytes,
            output.LastError.Length > 0 ? output.LastError : $"ffmpeg exited with {output.ExitCode}");
    }

    /// <returns>The first video stream's entries, and the container's duration in seconds (0 when absent).</returns>
    private (JsonElement Stream, double ContainerDuration) ProbeStream(string path, bool countPackets, CancellationToken cancel)
    {
        string[] arguments =
        [
            "-v", "error", "-select_streams", "v:0",
            .. countPackets ? (string[])["-count_packets"] : [],
            "-show_entries", "stream=codec_name,width,height,nb_frames,nb_read_packets,avg_frame_rate,duration:stream_tags=rotate:stream_side_data=rotation:format=duration",
            "-of", "json", path,
        ];
        var output = Run(FfmpegTools.Ffprobe, arguments, path, cancel, 0);
        if (output.ExitCode != 0)
        {
            throw new UnreadableMediaException(path, "not a readable media file", output.LastError);
        }
        try
        {
            using var json = JsonDocument.Parse(output.Stdout);
            if (!json.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
            {
                throw new UnreadableMediaException(path, "no video stream");
            }
            double containerDuration = json.RootElement.TryGetProperty("format", out var format) ? ReadDouble(format, "duration") : 0;
            return (streams[0].Clone(), containerDuration);
        }
        catch (JsonException e)
        {
            throw new UnreadableMediaException(path, "not a readable media file", $"ffprobe output: {e.Message}", e);
        }
    }

    private ChildOutput Run(string tool, string[] arguments, string path, CancellationToken cancel, int capacity)
    {
        try
        {
            return ChildProcess.Run(tool, arguments, timeout, cancel, stdoutCapacity: capacity);
        }
        catch (TimeoutException e)
        {
            throw new UnreadableMediaException(path, "timed out", e.Message, e);
        }
    }

    /// <summary>
    /// nb_frames when the container records it, else ⌊duration × average frame rate⌋ with the
    /// container's duration standing in when the stream has none (MPEG-PS, webm).
    /// </summary>
    private static int FrameCount(JsonElement stream, double containerDuration)
    {
        int counted = ReadInt(stream, "nb_frames");
        if (counted > 0)
        {
            return counted;
        }
        double duration = ReadDouble(stream, "duration") is > 0 and var own ? own : containerDuration;
        double rate = Rate(stream.TryGetProperty("avg_frame_rate", out var r) ? r.GetString() : null);
        return duration > 0 && rate > 0 ? (int)Math.Floor(duration * rate) : 0;
    }

    private static double Rate(string? fraction)
    {
        string[] parts = (fraction ?? "").Split('/');
        return parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out double n)
            && double.TryParse(parts[1], CultureInfo.InvariantCulture, out double d) && d > 0 ? n / d : 0;
    }

    private static int Rotation(JsonElement stream)
    {
        if (stream.TryGetProperty("side_data_list", out var sideData))
        {
            foreach (var entry in sideData.EnumerateArray())
            {
                if (entry.TryGetProperty("rotation", out var rotation) && rotation.TryGetInt32(out int degrees))
                {
                    return degrees;
                }
            }
        }
        return stream.TryGetProperty("tags", out var tags) && tags.TryGetProperty("rotate", out var rotate)
            && int.TryParse(rotate.GetString(), CultureInfo.InvariantCulture, out int tagged) ? tagged : 0;
    }

    private static int ReadInt(JsonElement element, string name) => (int)Math.Min(int.MaxValue, ReadDouble(element, name));

    /// <summary>ffprobe writes most numbers as JSON strings ("250", "10.000000") and some as numbers.</summary>
    private static double ReadDouble(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return 0;
        }
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String when double.TryParse(value.GetString(), CultureInfo.InvariantCulture, out double parsed) => parsed,
            _ => 0,
        };
    }

    private static string Flag(Resampling resampling) => resampling == Resampling.Bicubic ? "bicubic" : "bilinear";
}

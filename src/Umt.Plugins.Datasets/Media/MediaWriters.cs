using System.Globalization;
using SkiaSharp;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// Writes real media files from RGB24 frames: H.264 .mp4 through ffmpeg and JPEG through
/// SkiaSharp. Used by <c>umt data synth</c> and the tests, so every loader is exercised on files a
/// real encoder made. Each file is written under a temporary name and renamed, so an interrupted
/// export never leaves a half-written file that looks complete.
/// </summary>
public static class MediaWriters
{
    /// <summary>Encodes <c>[T, height, width, 3]</c> RGB24 frames as H.264 (yuv420p, CRF 12: near-lossless, so decoded frames match the source within codec error).</summary>
    public static void WriteMp4(string path, byte[] rgb, int frames, int width, int height, int fps, CancellationToken cancel = default)
    {
        if (width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException($"H.264 in yuv420p needs even frame sides, got {width}×{height}.");
        }
        if (rgb.Length != frames * width * height * 3)
        {
            throw new ArgumentException($"Expected {frames}×{height}×{width}×3 bytes, got {rgb.Length}.", nameof(rgb));
        }
        string temporary = path + ".partial.mp4";
        string[] arguments =
        [
            "-nostdin", "-hide_banner", "-v", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", string.Create(CultureInfo.InvariantCulture, $"{width}x{height}"),
            "-r", fps.ToString(CultureInfo.InvariantCulture), "-i", "pipe:0",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "12", "-pix_fmt", "yuv420p", "-threads", "1",
            "-movflags", "+faststart", temporary,
        ];
        var output = ChildProcess.Run(FfmpegTools.Ffmpeg, arguments, TimeSpan.FromMinutes(5), cancel, stdin: rgb);
        if (output.ExitCode != 0)
        {
            File.Delete(temporary);
            throw new IOException($"ffmpeg could not encode {path}: {output.LastError}");
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// ffmpeg's <c>testsrc2</c> pattern (moving shapes, a counter, colour bars) as H.264: the clip
    /// data-and-weights.md §1 timed decoders on.
    /// </summary>
    public static void WriteTestSource(string path, int width, int height, int seconds, int fps, CancellationToken cancel = default)
    {
        string temporary = path + ".partial.mp4";
        string[] arguments =
        [
            "-nostdin", "-hide_banner", "-v", "error", "-y",
            "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"),
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", temporary,
        ];
        var output = ChildProcess.Run(FfmpegTools.Ffmpeg, arguments, TimeSpan.FromMinutes(5), cancel);
        if (output.ExitCode != 0)
        {
            File.Delete(temporary);
            throw new IOException($"ffmpeg could not write {path}: {output.LastError}");
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Encodes one RGB24 image as JPEG.</summary>
    public static void WriteJpeg(string path, ReadOnlySpan<byte> rgb, int width, int height, int quality = 95)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = bitmap.GetPixelSpan();
        var rgba = new byte[pixels.Length];
        for (int p = 0, q = 0; q < rgb.Length; p += 4, q += 3)
        {
            rgba[p] = rgb[q];
            rgba[p + 1] = rgb[q + 1];
            rgba[p + 2] = rgb[q + 2];
            rgba[p + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
            ?? throw new IOException($"SkiaSharp could not encode {path} as JPEG.");
        string temporary = path + ".partial";
        using (var file = File.Create(temporary))
        {
            data.SaveTo(file);
        }
        File.Move(temporary, path, overwrite: true);
    }
}

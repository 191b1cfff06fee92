using System.Runtime.InteropServices;
using SkiaSharp;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// Images through SkiaSharp (data-and-weights.md §2: MIT, fast, no ImageSharp security issues):
/// decoded to RGBA whatever the file's colour type (grey, palette, CMYK JPEG), turned upright by
/// its EXIF orientation, cropped and resized on a Skia canvas. An image is a one-frame clip.
/// </summary>
internal sealed class SkiaImageReader : IMediaReader
{
    public MediaInfo Probe(string path, CancellationToken cancel)
    {
        using var codec = Open(path);
        var (width, height) = Upright(codec.Info.Width, codec.Info.Height, codec.EncodedOrigin);
        return new MediaInfo(width, height, 1, codec.EncodedFormat.ToString().ToLowerInvariant());
    }

    public byte[] Read(string path, MediaInfo info, IReadOnlyList<int> frames, CropBox crop, int size, Resampling resampling, CancellationToken cancel)
    {
        using var codec = Open(path);
        var decodedInfo = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var decoded = new SKBitmap(decodedInfo);
        var result = codec.GetPixels(decodedInfo, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            // IncompleteInput is a truncated file: Skia fills the rest with grey, PIL refuses it; so do we.
            throw new UnreadableMediaException(path, result == SKCodecResult.IncompleteInput ? "truncated image" : "decode failed", result.ToString());
        }
        if (codec.Info.AlphaType != SKAlphaType.Opaque)
        {
            DropAlpha(decoded);
        }
        using var upright = Orient(decoded, codec.EncodedOrigin);
        using var resized = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var image = SKImage.FromBitmap(upright))
        using (var canvas = new SKCanvas(resized))
        {
            var sampling = resampling == Resampling.Bicubic
                ? new SKSamplingOptions(new SKCubicResampler(0, 0.75f)) // Keys' cubic with a = −0.75, PIL's and torchvision's bicubic
                : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None);
            canvas.DrawImage(image, SKRect.Create(crop.X, crop.Y, crop.Width, crop.Height), SKRect.Create(0, 0, size, size), sampling);
        }
        var rgba = resized.GetPixelSpan();
        // One frame, repeated when a caller samples several from an image.
        int frameBytes = size * size * 3;
        var clip = new byte[frames.Count * frameBytes];
        for (int p = 0, q = 0; p < rgba.Length; p += 4, q += 3)
        {
            clip[q] = rgba[p];
            clip[q + 1] = rgba[p + 1];
            clip[q + 2] = rgba[p + 2];
        }
        for (int t = 1; t < frames.Count; t++)
        {
            Buffer.BlockCopy(clip, 0, clip, t * frameBytes, frameBytes);
        }
        return clip;
    }

    /// <summary>
    /// Makes every pixel opaque, keeping its stored colour, as PIL's <c>convert("RGB")</c> in the
    /// reference does; drawn with its alpha, Skia would blend transparent areas to black.
    /// </summary>
    private static void DropAlpha(SKBitmap bitmap)
    {
        var rgba = new byte[bitmap.ByteCount];
        Marshal.Copy(bitmap.GetPixels(), rgba, 0, rgba.Length);
        for (int p = 3; p < rgba.Length; p += 4)
        {
            rgba[p] = 255;
        }
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
    }

    private static SKCodec Open(string path)
    {
        var codec = SKCodec.Create(path, out var result);
        return codec ?? throw new UnreadableMediaException(path, "not a readable image", result.ToString());
    }

    private static (int Width, int Height) Upright(int width, int height, SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom
            ? (height, width)
            : (width, height);

    /// <summary>The bitmap as the camera meant it to be seen (EXIF orientation 1–8).</summary>
    private static SKBitmap Orient(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft)
        {
            return bitmap.Copy();
        }
        var (width, height) = Upright(bitmap.Width, bitmap.Height, origin);
        var upright = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(upright);
        canvas.SetMatrix(OrientationMatrix(origin, bitmap.Width, bitmap.Height));
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
        return upright;
    }

    private static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int w, int h) => origin switch
    {
        SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),     // mirror x
        SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1), // rotate 180
        SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),   // mirror y
        SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),       // transpose
        SKEncodedOrigin.RightTop => new SKMatrix(0, -1, h, 1, 0, 0, 0, 0, 1),     // rotate 90 clockwise
        SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, h, -1, 0, w, 0, 0, 1), // transverse
        SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, w, 0, 0, 1),   // rotate 90 counter-clockwise
        _ => SKMatrix.Identity,
    };
}

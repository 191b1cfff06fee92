using System.Globalization;
using SkiaSharp;
using Umt.Abstractions.Datasets;
using Umt.Plugins.Datasets.Augmentation;

namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// Images through SkiaSharp (data-and-weights.md §2: MIT, fast, no ImageSharp security issues):
/// decoded to RGBA whatever the file's colour type (grey, palette, CMYK JPEG), turned upright by
/// its EXIF orientation, cropped and resized on a Skia canvas. An image is a one-frame clip.
/// </summary>
/// <remarks>
/// Bounded: the size in the file's header is checked against the limit before any pixel is
/// decoded (a 1 MB PNG can hold 20000², 1.6 GB of RGBA), and the image is decoded once, at the
/// smallest scale the codec offers that still holds the crop at the output size (JPEG: DCT scaling
/// in eighths; WebP: any scale; PNG: full size only), then drawn, oriented, cropped and resized in
/// one pass, so no second bitmap of the decoded size exists.
/// </remarks>
/// <param name="maxMegapixels">Largest image decoded (width × height / 10⁶); a larger one is unreadable.</param>
internal sealed class SkiaImageReader(int maxMegapixels) : IMediaReader
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
        var origin = codec.EncodedOrigin;
        float scale = Math.Min(1f, Math.Max((float)size / crop.Width, (float)size / crop.Height));
        var stored = codec.GetScaledDimensions(scale);
        var decodedInfo = new SKImageInfo(stored.Width, stored.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
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

        // The crop, given on the full-size upright image, on the decoded (stored, maybe scaled) one.
        var (fullWidth, fullHeight) = Upright(codec.Info.Width, codec.Info.Height, origin);
        var (uprightWidth, uprightHeight) = Upright(stored.Width, stored.Height, origin);
        float sx = (float)uprightWidth / fullWidth, sy = (float)uprightHeight / fullHeight;
        var uprightCrop = SKRect.Create(crop.X * sx, crop.Y * sy, crop.Width * sx, crop.Height * sy);
        var storedCrop = OrientationMatrix(origin, stored.Width, stored.Height).Invert().MapRect(uprightCrop);

        using var resized = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var image = SKImage.FromBitmap(decoded))
        using (var canvas = new SKCanvas(resized))
        {
            // Drawing the stored crop into the output square turned by the same orientation is
            // drawing the upright crop: the crop and the square are mapped axis to axis alike.
            canvas.SetMatrix(OrientationMatrix(origin, size, size));
            var sampling = resampling == Resampling.Bicubic
                ? new SKSamplingOptions(new SKCubicResampler(0, 0.75f)) // Keys' cubic with a = −0.75, PIL's and torchvision's bicubic
                : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None);
            canvas.DrawImage(image, storedCrop, SKRect.Create(0, 0, size, size), sampling);
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
    /// reference does; drawn with its alpha, Skia would blend transparent areas to black. In place:
    /// the bitmap may be the size of the image.
    /// </summary>
    private static void DropAlpha(SKBitmap bitmap)
    {
        using var pixmap = bitmap.PeekPixels();
        var rgba = pixmap.GetPixelSpan<byte>();
        for (int p = 3; p < rgba.Length; p += 4)
        {
            rgba[p] = 255;
        }
    }

    /// <summary>The file's codec, once its header says the image is within the limit.</summary>
    private SKCodec Open(string path)
    {
        var codec = SKCodec.Create(path, out var result) ?? throw new UnreadableMediaException(path, "not a readable image", result.ToString());
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        long pixels = (long)width * height;
        if (pixels > maxMegapixels * 1_000_000L)
        {
            codec.Dispose();
            throw new UnreadableMediaException(path, "image too large",
                string.Create(CultureInfo.InvariantCulture, $"{width}×{height} = {pixels / 1e6:0.#} MP, above MaxImageMegapixels = {maxMegapixels}"));
        }
        return codec;
    }

    private static (int Width, int Height) Upright(int width, int height, SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom
            ? (height, width)
            : (width, height);

    /// <summary>Maps a stored image of <paramref name="w"/> × <paramref name="h"/> onto its upright view.</summary>
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

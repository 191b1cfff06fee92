namespace Umt.Plugins.Datasets.Media;

/// <summary>
/// What a file holds before any frame is decoded.
/// </summary>
/// <param name="Width">Width of a decoded frame, after the file's rotation is applied (ffmpeg auto-rotates; EXIF orientation for images).</param>
/// <param name="Height">Height of a decoded frame, after rotation.</param>
/// <param name="FrameCount">Frames in the stream (1 for an image).</param>
/// <param name="Format">Codec or image format, for reports.</param>
internal sealed record MediaInfo(int Width, int Height, int FrameCount, string Format);

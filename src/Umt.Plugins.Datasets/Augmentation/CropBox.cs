namespace Umt.Plugins.Datasets.Augmentation;

/// <summary>
/// A crop in source pixels: columns [X, X + Width) and rows [Y, Y + Height) of the decoded frame,
/// the rectangle PIL's <c>img.crop((X, Y, X + Width, Y + Height))</c> takes in the reference. The
/// caller resamples it to the model's square input (the reference resizes every crop to
/// S×S, whatever its aspect). Only <see cref="CropGeometry.MultiScale"/> on a frame whose short
/// side is one or two pixels below the output size can return a box that overhangs the frame;
/// see there.
/// </summary>
internal readonly record struct CropBox(int X, int Y, int Width, int Height);

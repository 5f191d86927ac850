/**
 * The linear layers: `nn.Identity`, `nn.Linear`, `nn.LazyLinear`, `nn.Bilinear`.
 */

import { Tensor } from "../tensor/tensor.js";
import { empty } from "../tensor/creation.js";
import type { DType } from "../tensor/dtype.js";
import type { device } from "../tensor/device.js";
import { no_grad } from "../autograd/grad_mode.js";
import { RuntimeError } from "../errors.js";
import { Module } from "./module.js";
import { Parameter, UninitializedParameter, is_lazy } from "./parameter.js";
import { RemovableHandle } from "./hooks.js";
import { warn } from "../warnings.js";
import type { LoadLog } from "./state_dict.js";
import * as init from "./init.js";
import * as F from "./functional.js";

export interface LinearOptions {
  /** If false, the layer learns no additive bias (default true). */
  bias?: boolean;
  device?: string | device;
  dtype?: DType;
}

function linearOptions(options: LinearOptions | boolean): LinearOptions {
  return typeof options === "boolean" ? { bias: options } : options;
}

/**
 * A placeholder identity operator that is argument-insensitive: it ignores its constructor
 * arguments and returns its input unchanged.
 *
 * ```ts
 * const m = new nn.Identity(54, { unused_argument1: 0.1 });
 * m(torch.randn(128, 20)).shape   // torch.Size([128, 20])
 * ```
 */
export class Identity extends Module {
  constructor(...args: unknown[]) {
    super();
    void args;
  }

  override forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * Applies an affine linear transformation to the incoming data: y = x Aᵀ + b.
 *
 * Args:
 *   in_features: size of each input sample
 *   out_features: size of each output sample
 *   options.bias: if false, the layer will not learn an additive bias (default true); a plain
 *     boolean may be passed instead of the options object
 *
 * Shapes: input (*, H_in) with * any number of dims including none, output (*, H_out).
 *
 * Variables:
 *   weight: (out_features, in_features), initialised from U(−√k, √k) with k = 1/in_features
 *     (kaiming_uniform_ with a = √5, exactly PyTorch's draws)
 *   bias: (out_features), from U(−√k, √k); null when `bias` is false
 *
 * ```ts
 * const m = new nn.Linear(20, 30);
 * const output = m(torch.randn(128, 20));
 * output.size()   // torch.Size([128, 30])
 * ```
 */
export class Linear extends Module {
  declare in_features: number;
  declare out_features: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(in_features: number, out_features: number, options: LinearOptions | boolean = {}) {
    super();
    const { bias = true, device, dtype } = linearOptions(options);
    this.in_features = in_features;
    this.out_features = out_features;
    this.weight = new Parameter(empty([out_features, in_features], { device, dtype }));
    if (bias) this.bias = new Parameter(empty([out_features], { device, dtype }));
    else this.register_parameter("bias", null);
    this.reset_parameters();
  }

  /**
   * PyTorch's init, in its draw order: `kaiming_uniform_(weight, a = √5)` (the same as
   * U(±1/√in_features), pytorch#57109), then the bias from U(±1/√fan_in), or zeros when
   * fan_in is 0.
   */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fanIn] = init._calculate_fan_in_and_fan_out(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      // Python's `-bound` of the int 0 is 0, not -0.
      init.uniform_(this.bias, { a: bound === 0 ? 0 : -bound, b: bound });
    }
  }

  override forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${this.bias !== null ? "True" : "False"}`;
  }
}

/**
 * A `Linear` whose `in_features` is inferred from the first input: `weight` and `bias` start
 * as `UninitializedParameter`s, the first call materialises them (shape from `input.shape[-1]`)
 * and initialises them as `Linear` does, and the module then becomes a `Linear` (its class
 * and repr change, as PyTorch's `cls_to_become`).
 *
 * ```ts
 * const m = new nn.LazyLinear(3);
 * m(torch.randn(4, 2));
 * String(m)   // "Linear(in_features=2, out_features=3, bias=True)"
 * ```
 */
export class LazyLinear extends Linear {
  declare _initialize_hook: RemovableHandle | undefined;

  constructor(out_features: number, options: LinearOptions | boolean = {}) {
    const { bias = true, device, dtype } = linearOptions(options);
    super(0, 0, false);
    warn(
      "Lazy modules are a new feature under heavy development so changes to the API or functionality can happen at any moment.",
    );
    this.weight = new UninitializedParameter(true, { device, dtype });
    this.out_features = out_features;
    if (bias) this.bias = new UninitializedParameter(true, { device, dtype });
    this._initialize_hook = this.register_forward_pre_hook((module, args) => {
      (module as LazyLinear).inferParameters(args);
      return undefined;
    });
  }

  override reset_parameters(): void {
    if (!this.has_uninitialized_params() && this.in_features !== 0) super.reset_parameters();
  }

  /** Whether some parameter is still uninitialised. */
  has_uninitialized_params(): boolean {
    for (const p of this._parameters.values()) if (is_lazy(p)) return true;
    for (const b of this._buffers.values()) if (is_lazy(b)) return true;
    return false;
  }

  /** Materialises the parameters for `input` and runs `reset_parameters`. */
  initialize_parameters(input: Tensor): void {
    if (!this.has_uninitialized_params()) return;
    no_grad(() => {
      this.in_features = input._shape[input.ndim - 1]!;
      (this.weight as unknown as UninitializedParameter).materialize([this.out_features, this.in_features]);
      if (this.bias !== null) (this.bias as unknown as UninitializedParameter).materialize([this.out_features]);
      this.reset_parameters();
    });
  }

  private inferParameters(args: unknown[]): void {
    this.initialize_parameters(args[0] as Tensor);
    if (this.has_uninitialized_params()) {
      throw new RuntimeError(`module ${this._get_name()} has not been fully initialized`);
    }
    this._initialize_hook?.remove();
    delete (this as { _initialize_hook?: RemovableHandle })._initialize_hook;
    Object.setPrototypeOf(this, Linear.prototype);
  }

  /** Loading a state dict gives uninitialised parameters their shapes first (PyTorch's lazy load hook). */
  override _load_from_state_dict(
    state_dict: Map<string, unknown>,
    prefix: string,
    strict: boolean,
    log: LoadLog,
    assign: boolean,
  ): void {
    for (const [name, param] of this._parameters) {
      const input = state_dict.get(prefix + name);
      if (is_lazy(param) && input instanceof Tensor) {
        no_grad(() => (param as UninitializedParameter).materialize(input._shape));
      }
    }
    super._load_from_state_dict(state_dict, prefix, strict, log, assign);
  }
}

/**
 * Applies a bilinear transformation to the incoming data: y = x₁ᵀ A x₂ + b.
 *
 * Args:
 *   in1_features, in2_features: sizes of each first and second input sample
 *   out_features: size of each output sample
 *   options.bias: if false, no additive bias (default true)
 *
 * Shapes: input1 (*, H_in1), input2 (*, H_in2) with the same leading dims; output (*, H_out).
 *
 * Variables: weight (out, in1, in2) and bias (out), both from U(−√k, √k) with k = 1/in1.
 *
 * ```ts
 * const m = new nn.Bilinear(20, 30, 40);
 * m(torch.randn(128, 20), torch.randn(128, 30)).size()   // torch.Size([128, 40])
 * ```
 */
export class Bilinear extends Module {
  declare in1_features: number;
  declare in2_features: number;
  declare out_features: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(in1_features: number, in2_features: number, out_features: number, options: LinearOptions | boolean = {}) {
    super();
    const { bias = true, device, dtype } = linearOptions(options);
    this.in1_features = in1_features;
    this.in2_features = in2_features;
    this.out_features = out_features;
    this.weight = new Parameter(empty([out_features, in1_features, in2_features], { device, dtype }));
    if (bias) this.bias = new Parameter(empty([out_features], { device, dtype }));
    else this.register_parameter("bias", null);
    this.reset_parameters();
  }

  /** weight then bias, each from U(±1/√in1_features). */
  reset_parameters(): void {
    const bound = 1 / Math.sqrt(this.weight.size(1));
    init.uniform_(this.weight, { a: -bound, b: bound });
    if (this.bias !== null) init.uniform_(this.bias, { a: -bound, b: bound });
  }

  override forward(input1: Tensor, input2: Tensor): Tensor {
    return F.bilinear(input1, input2, this.weight, this.bias);
  }

  override extra_repr(): string {
    return (
      `in1_features=${this.in1_features}, in2_features=${this.in2_features}, ` +
      `out_features=${this.out_features}, bias=${this.bias !== null ? "True" : "False"}`
    );
  }
}

// Samplers for the distributions of plan-format.md section 3, over a block.
//
// Each sampler turns keyed uniforms into draws. Where an exact inverse CDF is
// cheap (normal, lognormal, uniform, triangular, bernoulli, poisson with
// lambda < 10) element i uses exactly uniform i of the block's UniformStream;
// beta and pert (Marsaglia-Tsang gamma ratios) and poisson with lambda >= 10
// (Hormann's PTRS) are rejection methods and draw from the element's own
// ElementStream, so every element stays keyed by its sample index. Given
// uniforms (BlockDraw::uniforms) are drawn by inversion for every
// distribution.
//
// Parameters are scalars or arrays (one value per element). An element whose
// parameters break the rules of section 3 (rules::parameters_valid) gets NaN;
// the caller reports it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rules/functions.h"
#include "sim/random_stream.h"

namespace plansim::sim {

// A distribution parameter: one value for every element (stride 0) or an array.
struct Param {
  const double* data = nullptr;
  std::size_t stride = 0;
  double operator[](std::size_t i) const { return data[i * stride]; }
};

// Where a block's draws come from.
struct BlockDraw {
  std::uint64_t seed = 0;
  DrawKey key;
  std::uint64_t block = 0;        // block index; the first sample is block * kBlockSize
  std::size_t n = 0;              // samples in this block (<= kBlockSize)
  // When set, element i's uniform is uniforms[i] instead of the stream's,
  // and every distribution is drawn by inversion of it (its quantile
  // function): Latin hypercube strata, or a copula's Phi(z).
  const double* uniforms = nullptr;
};

// Draws n values into out. params.size() == rules::distribution_arity(d).
// scratch must hold n doubles. Allocates nothing.
// With a mask, only the elements where mask[i] != 0 are drawn, each with
// exactly the value a full draw gives it; the others are 0. A risk's impact
// uses it: an impact that does not occur costs its uniform, not its
// transformation (keyed streams make skipping it invisible in the results).
void sample_block(rules::Distribution d, std::span<const Param> params, const BlockDraw& where,
                  double* out, double* scratch, const double* mask = nullptr);

// The quantile function of each distribution at u in (0, 1): the smallest
// x with cdf(x) >= u. NaN for invalid parameters.
double quantile(rules::Distribution d, std::span<const double> params, double u);

// Exact CDF of each distribution at x (for the statistical tests and for
// analysis); for discrete ones P(X <= x).
double cdf(rules::Distribution d, std::span<const double> params, double x);

// Standard normal quantile (Wichura's AS241, about 1e-16 relative accuracy)
// and CDF.
double normal_quantile(double p);
double normal_cdf(double x);

}  // namespace plansim::sim

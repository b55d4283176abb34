// Factories for the family adapters; adapter.h's MakeAdapter() is the public entry point.
#pragma once

#include <memory>

#include "adapters/adapter.h"

namespace seqgate::bridge {

std::unique_ptr<Adapter> MakeIlluminaAdapter();
std::unique_ptr<Adapter> MakeOntAdapter();
std::unique_ptr<Adapter> MakePacBioAdapter();
std::unique_ptr<Adapter> MakeElementAdapter();
std::unique_ptr<Adapter> MakeUltimaAdapter();
std::unique_ptr<Adapter> MakeMgiAdapter();
std::unique_ptr<Adapter> MakeGenericAdapter();

}  // namespace seqgate::bridge

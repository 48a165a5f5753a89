// Names a caught exception by its class, never its text (exception_text.h).
#include "exception_text.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace csirtgw {

std::string exception_class(const std::exception_ptr& error) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      const char* mangled = typeid(e).name();
      int status = 0;
      std::unique_ptr<char, decltype(&std::free)> readable(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                           &std::free);
      return status == 0 && readable ? readable.get() : mangled;
    } catch (...) {
      return "unknown exception";
    }
  } catch (...) {  // std::string could not allocate
    return {};
  }
}

}  // namespace csirtgw

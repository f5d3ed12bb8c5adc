// The dashboard's files, embedded at build time (web/dashboard.html and the uPlot package from
// npm, see scripts/fetch-web-deps): nothing to deploy next to the binary, no CDN.
#pragma once

#include <string_view>

namespace cryptolake::serve {

std::string_view dashboard_html();
std::string_view uplot_js();
std::string_view uplot_css();

}  // namespace cryptolake::serve

#include <mutex>

#include "architectures/dcgan.h"
#include "architectures/multiscale.h"
#include "architectures/registry.h"
#include "architectures/spade.h"
#include "architectures/stylegan2.h"
#include "architectures/translation.h"
#include "architectures/wgan_gp.h"

namespace ganbench {

void register_builtin_architectures() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_architecture(dcgan_entry());
    register_architecture(lsgan_entry());
    register_architecture(wgan_entry());
    register_architecture(wgan_gp_entry());
    register_architecture(hinge_gan_entry());
    register_architecture(stylegan2_entry());
    register_architecture(spade_entry());
    register_architecture(multiscale_entry());
    register_architecture(dcgan3d_entry());
    register_architecture(multiscale3d_entry());
    register_architecture(pix2pix_entry());
    register_architecture(cyclegan_entry());
    register_architecture(identity_entry());
  });
}

}  // namespace ganbench

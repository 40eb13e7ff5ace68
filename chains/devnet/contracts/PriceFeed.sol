// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice A Chainlink AggregatorV3-compatible feed whose answers the owner (the devnet market
/// simulator) posts. Round times come from block.timestamp: market time is chain time.
contract PriceFeed {
    struct Round {
        int256 answer;
        uint256 updatedAt;
    }

    address public immutable owner;
    uint8 public immutable decimals;
    string public description;
    uint256 public constant version = 4;

    uint80 public latestRound;
    mapping(uint80 => Round) private rounds;

    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        owner = msg.sender;
        decimals = decimals_;
        description = description_;
        _post(initialAnswer);
    }

    function updateAnswer(int256 answer) external {
        require(msg.sender == owner, "Feed: not owner");
        _post(answer);
    }

    function latestAnswer() external view returns (int256) {
        return rounds[latestRound].answer;
    }

    function latestTimestamp() external view returns (uint256) {
        return rounds[latestRound].updatedAt;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return getRoundData(latestRound);
    }

    function getRoundData(uint80 roundId) public view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = rounds[roundId];
        // Chainlink reverts for rounds it has no data for; callers rely on that to detect gaps.
        require(r.updatedAt != 0, "Feed: no data");
        return (roundId, r.answer, r.updatedAt, r.updatedAt, roundId);
    }

    function _post(int256 answer) private {
        require(answer > 0, "Feed: answer");
        latestRound += 1;
        rounds[latestRound] = Round(answer, block.timestamp);
        emit AnswerUpdated(answer, latestRound, block.timestamp);
    }
}
